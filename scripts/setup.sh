#!/usr/bin/env bash
# Creates the venv of the chosen leg (see scripts/leg.sh: LEG=reference, the default, is
# TensorFlow 1.12 on Python 3.6 in .venv; LEG=modern is current TensorFlow in .venv-modern)
# and installs tfcourse into it, unless it is already up to date. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/leg.sh

STAMP="$VENV/.tfcourse-setup"
want=$(cat setup.py scripts/setup.sh scripts/leg.sh scripts/console_script.py | cksum)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/tfcourse" ]; then
    exit 0
fi
if [ -z "$PY" ] || ! command -v "$PY" >/dev/null 2>&1; then
    echo "setup: $NEED" >&2
    exit 2
fi
if [ ! -x "$VENV/bin/python" ] || [ "$("$VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" != \
        "$("$PY" -c 'import sys; print(sys.version_info[:2])')" ]; then
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi
pip_install() {  # pip's notices about index locations that do not exist are noise
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
        | { grep -Ev "^WARNING: Location '.*' is ignored|^ *Url '.*' is ignored" || true; }
}
if [ "$LEG" = reference ]; then
    pip_install --upgrade "pip<22"  # the pip of Python 3.6 does not see TensorFlow 1.12's wheels
fi
pip_install -e ".[test]"
"$VENV/bin/python" scripts/console_script.py "$VENV/bin/tfcourse"  # no pkg_resources at start-up
echo "$want" > "$STAMP"
echo "setup: $LEG leg: $("$VENV/bin/python" -c 'import sys, os; os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"; import tensorflow as tf; print("Python %d.%d.%d, TensorFlow %s" % (sys.version_info[:3] + (tf.__version__,)))' 2>/dev/null) in $VENV"
