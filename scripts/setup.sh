#!/usr/bin/env bash
# Creates .venv with the reference leg (Python 3.6, TensorFlow 1.12) and installs
# tfcourse into it, unless it is already up to date. Idempotent; safe to re-run.
#   PYTHON=/path/to/python3.6 scripts/setup.sh   to choose the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.tfcourse-setup"
want=$(cat setup.py scripts/setup.sh | cksum)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/tfcourse" ]; then
    exit 0
fi

find_python36() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
    for candidate in "$HOME"/.pyenv/versions/3.6*/bin/python python3.6; do
        if command -v "$candidate" >/dev/null 2>&1; then echo "$candidate"; return; fi
    done
}

PY36=$(find_python36)
if [ -z "$PY36" ] || ! "$PY36" -c 'import sys; assert sys.version_info[:2] == (3, 6)' 2>/dev/null; then
    echo "setup: no Python 3.6 found (looked for \$PYTHON, ~/.pyenv/versions/3.6*, python3.6); install it with 'pyenv install 3.6.15' or set PYTHON=/path/to/python3.6" >&2
    exit 2
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 6)' 2>/dev/null; then
    rm -rf "$VENV"
    "$PY36" -m venv "$VENV"
fi
# pip 18 that ships with Python 3.6 does not see the wheels TensorFlow 1.12 needs.
pip_install() {  # pip's notices about index locations that do not exist are noise
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
        | { grep -v "^WARNING: Location '.*' is ignored" || true; }
}
pip_install --upgrade "pip<22"
pip_install -e ".[test]"
echo "$want" > "$STAMP"
echo "setup: $("$VENV/bin/python" -c 'import sys, tensorflow as tf; print("Python %d.%d.%d, TensorFlow %s" % (sys.version_info[:3] + (tf.__version__,)))' 2>/dev/null) in $VENV"
