#!/usr/bin/env bash
# Sets up if needed, then runs the whole test suite on the chosen leg (LEG=reference, the
# default, or LEG=modern: see leg.sh). Extra arguments go to pytest.
# The TensorBoard screenshot tests need Debian's chromium: installed here when missing
# and this runs as root with apt-get; otherwise those tests are skipped and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/leg.sh 2>/dev/null
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing chromium for the TensorBoard screenshot tests"
    apt-get install -y -q chromium >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
        || echo "test: could not install chromium; screenshot tests will be skipped"
fi
echo "test: $LEG leg"
exec "$VENV/bin/python" -m pytest tests "$@"
