"""Writes a venv's ``tfcourse`` console script as a direct import of ``tfcourse.cli``.

    .venv/bin/python scripts/console_script.py .venv/bin/tfcourse

``scripts/setup.sh`` runs it after ``pip install -e``: on the reference leg, the script
that pip and setuptools write for an editable install starts through
``pkg_resources.load_entry_point``, which resolves every installed requirement first
(about a quarter of a second, more than ``tfcourse --help`` needs in all). This one calls
the same function, ``tfcourse.cli:console_main`` (setup.py's entry point), directly, with the
venv's interpreter.
"""

import os
import sys

TEMPLATE = """#!{python}
# tfcourse's console script (setup.py: tfcourse = tfcourse.cli:console_main), written by
# scripts/console_script.py: a direct import, without pkg_resources.
import sys

from tfcourse.cli import console_main

if __name__ == "__main__":
    sys.exit(console_main())
"""


def write(path, python=None):
    """Writes the console script at ``path`` (replacing it atomically), for the interpreter
    ``python`` (default: this one, its venv path kept: not resolved through symlinks)."""
    text = TEMPLATE.format(python=os.path.abspath(python or sys.executable))
    staging = path + ".new"
    with open(staging, "w") as handle:
        handle.write(text)
    os.chmod(staging, 0o755)
    os.replace(staging, path)


if __name__ == "__main__":
    write(sys.argv[1])
