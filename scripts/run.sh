#!/usr/bin/env bash
# Sets up a fresh machine, builds Firebreak and runs it. With no arguments it shows the
# incidents and the bundled runbooks; otherwise the arguments go to `firebreak`:
#   scripts/run.sh incident start "API down" --runbook production-outage
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --locked --bin firebreak
bin=target/release/firebreak
if [ "$#" -eq 0 ]; then
  "$bin" incident list
  echo
  "$bin" runbook list
  echo
  echo "Next: $bin incident start \"What is broken\" --runbook production-outage"
  echo "      $bin --help"
else
  exec "$bin" "$@"
fi
