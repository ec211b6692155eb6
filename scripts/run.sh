#!/usr/bin/env bash
# Sets up a fresh machine, builds Firebreak (the desktop app and the `firebreak` CLI)
# and starts the desktop app. Arguments, if any, go to the CLI instead:
#   scripts/run.sh                      # the desktop app
#   scripts/run.sh incident list        # target/release/firebreak incident list
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --locked --bin firebreak-desktop --bin firebreak
if [ "$#" -gt 0 ]; then
  exec target/release/firebreak "$@"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display (DISPLAY/WAYLAND_DISPLAY unset); the CLI works without one:" >&2
  echo "     target/release/firebreak --help" >&2
  exit 1
fi
exec target/release/firebreak-desktop
