"""tfcourse: the classic TensorFlow 1.x course as a command-line trainer."""

from setuptools import find_packages, setup

setup(
    name="tfcourse",
    version="0.1.0",
    description="Linear and logistic regression in TensorFlow 1.x graph mode: train, "
                "summarise for TensorBoard, checkpoint, restore.",
    packages=find_packages(include=["tfcourse", "tfcourse.*"]),
    python_requires=">=3.6",
    # Two legs, chosen by the interpreter (DESIGN.md): the reference leg is
    # TensorFlow 1.12 on Python 3.6, the modern leg current tensorflow-cpu 2.x
    # (through tf.compat.v1) on current Python.
    install_requires=[
        'tensorflow==1.12.*; python_version < "3.7"',
        'numpy==1.16.*; python_version < "3.7"',
        'absl-py<2; python_version < "3.7"',
        'protobuf<3.20; python_version < "3.7"',
        'scikit-learn>=0.24,<0.25; python_version < "3.7"',
        'pandas==1.1.*; python_version < "3.7"',
        'matplotlib==3.3.*; python_version < "3.7"',
        'tensorflow-cpu>=2.16; python_version >= "3.7"',
        'tensorboard; python_version >= "3.7"',
        'numpy; python_version >= "3.7"',
        'absl-py; python_version >= "3.7"',
        'scikit-learn>=1.3; python_version >= "3.7"',
        'pandas; python_version >= "3.7"',
        'matplotlib; python_version >= "3.7"',
        "pyyaml>=5.1",
    ],
    extras_require={"test": ['pytest>=7,<7.1; python_version < "3.7"',
                             'pytest>=7; python_version >= "3.7"']},
    entry_points={"console_scripts": ["tfcourse = tfcourse.cli:console_main"]},
)
