# Sourced by setup.sh, demo.sh and test.sh: chooses the TensorFlow leg and its venv.
#   LEG=reference  TensorFlow 1.12 on Python 3.6 (.venv)          the default where Python 3.6 exists
#   LEG=modern     current TensorFlow on current Python (.venv-modern), through tf.compat.v1
#   PYTHON=/path/to/python  chooses the interpreter of the leg.
find_python() {  # find_python 3.6 | modern
    local candidate
    if [ "$1" = 3.6 ]; then
        for candidate in "$HOME"/.pyenv/versions/3.6*/bin/python python3.6; do
            if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
                'import sys; assert sys.version_info[:2] == (3, 6)' 2>/dev/null; then
                echo "$candidate"; return
            fi
        done
    else
        for candidate in python3.11 "$HOME"/.pyenv/versions/3.11*/bin/python python3.12 python3.10 python3; do
            if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
                'import sys; assert (3, 9) <= sys.version_info[:2] <= (3, 12)' 2>/dev/null; then
                echo "$candidate"; return
            fi
        done
    fi
}

if [ -z "${LEG:-}" ]; then
    if [ -n "${PYTHON:-}" ] || [ -n "$(find_python 3.6)" ]; then
        LEG=reference
    else
        LEG=modern
        echo "setup: no Python 3.6 found: using the modern leg (current TensorFlow); set LEG=reference and PYTHON=/path/to/python3.6 for TensorFlow 1.12" >&2
    fi
fi
case "$LEG" in
    reference) VENV=.venv; PY=${PYTHON:-$(find_python 3.6)};
               NEED="no Python 3.6 found (looked for \$PYTHON, ~/.pyenv/versions/3.6*, python3.6); install it with 'pyenv install 3.6.15', set PYTHON=/path/to/python3.6, or use LEG=modern" ;;
    modern)    VENV=.venv-modern; PY=${PYTHON:-$(find_python modern)};
               NEED="no Python 3.9 to 3.12 found for the modern leg; set PYTHON=/path/to/python3" ;;
    *) echo "setup: LEG must be reference or modern, not '$LEG'" >&2; exit 2 ;;
esac
export LEG VENV
