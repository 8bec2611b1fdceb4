"""Commands that use a trained model: restore, evaluate and predict, plot, inspect, export."""
