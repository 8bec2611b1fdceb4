"""tfcourse: the classic TensorFlow 1.x course as a command-line trainer."""

__version__ = "0.1.0"
