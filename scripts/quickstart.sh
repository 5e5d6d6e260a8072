#!/usr/bin/env bash
# Set essaycheck up in .venv and run it on the shipped example: build a rubric
# from examples/source.txt, mark examples/essays, print the class summary and
# write the reports to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
# Every run, so that a checkout that was updated gets any new dependency (quick when none).
.venv/bin/python -m pip install --quiet -e .
mkdir -p out
.venv/bin/essaycheck rubric build examples/source.txt -o out/rubric.json --force
.venv/bin/essaycheck mark examples/essays -r out/rubric.json -o out/reports --force
echo
echo "Gradebook: out/reports/gradebook.csv   JSON: out/reports/results.json   Feedback: out/reports/feedback/"
