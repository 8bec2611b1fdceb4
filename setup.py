"""tfcourse: the classic TensorFlow 1.x course as a command-line trainer."""

from setuptools import find_packages, setup

setup(
    name="tfcourse",
    version="0.1.0",
    description="Linear and logistic regression in TensorFlow 1.x graph mode: train, "
                "summarise for TensorBoard, checkpoint, restore.",
    packages=find_packages(include=["tfcourse", "tfcourse.*"]),
    python_requires=">=3.6",
    install_requires=[
        "tensorflow==1.12.*",
        "numpy==1.16.*",
        "absl-py<2",
        "protobuf<3.20",
        "pyyaml>=5.1",
        "scikit-learn>=0.24,<0.25",
    ],
    extras_require={"test": ["pytest>=7,<7.1"]},
    entry_points={"console_scripts": ["tfcourse = tfcourse.cli:console_main"]},
)
