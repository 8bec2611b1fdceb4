#!/usr/bin/env bash
# The main job: set up if needed, train the course's linear regression, then restore it and
# print what it learned. Outputs go to ./tmp/ (model/ and summary/). LEG=modern: see leg.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/leg.sh 2>/dev/null
"$VENV/bin/tfcourse" train --model linear --max_step 1000 --model_dir ./tmp/model/ --summary_dir ./tmp/summary/
"$VENV/bin/tfcourse" restore --ckpt ./tmp/model/ --predict 1.0,2.5
echo "look at the runs: $VENV/bin/tensorboard --logdir ./tmp/summary/ --host 127.0.0.1"
