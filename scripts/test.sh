#!/usr/bin/env bash
# Sets up a fresh machine and runs every check and test: formatting, lints (warnings are
# errors), the whole workspace's tests (unit, property, store, CLI, crash), and a build
# of the benchmarks so they never rot.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== benchmarks build"
cargo bench --workspace --no-run --locked

echo "== doc tests (nextest does not run them)"
cargo test --workspace --doc --locked

echo "== tests"
cargo nextest run --workspace --locked --no-fail-fast
