"""Training: ``trainer.train(config)``, its loop, events, console output, distributed training."""
