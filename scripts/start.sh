#!/usr/bin/env bash
# Install mailcom-wizard into .venv (first run, or when the sources changed) and start it.
# Arguments go to mailcom-wizard, e.g. ./scripts/start.sh --demo
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/venv.sh
source scripts/venv.sh
ensure_venv
stamp=.venv/.mailcom-wizard-installed
if [ ! -e "$stamp" ] || [ -n "$(find pyproject.toml wizard -newer "$stamp" -print -quit)" ]; then
    echo "Installing mailcom-wizard into .venv ..." >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check . >&2
    touch "$stamp"
fi
exec .venv/bin/mailcom-wizard "$@"
