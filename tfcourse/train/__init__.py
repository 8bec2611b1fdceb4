"""Training: ``trainer.train(config)``, its loop, console output, distributed training."""
