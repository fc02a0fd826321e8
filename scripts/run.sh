#!/usr/bin/env bash
# Sets Snaptray up on this machine if needed, then runs the snaptray command with these arguments:
#   scripts/run.sh backup --source "$HOME/Documents" --dest /media/usb/snaptray
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/setup.sh" >&2
exec node "$here/dist/cli/snaptray.mjs" "$@"
