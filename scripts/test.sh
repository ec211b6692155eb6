#!/usr/bin/env bash
# Sets up a fresh machine and runs every check and test: the UI's type check and unit
# tests, Rust formatting and lints (warnings are errors; clippy --all-targets also
# type-checks the benchmarks, so they never rot), and every Rust test — unit, property, store, CLI, crash, API, the
# TypeScript bindings' freshness, and the desktop end-to-end suite in a real window.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

# Test-only tools: the test runner, and the WebDriver bridge to the desktop app.
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest" >&2
  cargo install --locked cargo-nextest
fi
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver" >&2
  cargo install --locked tauri-driver --version 2.0.6
fi

# Incremental caches only pay off for repeated local edits; on a clean checkout they
# are gigabytes of disk that nothing reads again.
if [[ -n "${CI:-}" ]]; then
  export CARGO_INCREMENTAL=0
fi
echo "== disk before the build"
df -h . | tail -1
# Whatever happens, say how much room the build left: a full disk shows up as odd
# linker crashes rather than a clear message.
trap 'echo "== disk at exit"; df -h . | tail -1; du -sh target 2>/dev/null || true' EXIT

echo "== UI unit tests (vitest)"
npm --prefix ui test

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== doc tests (nextest does not run them)"
cargo test --workspace --doc --locked

echo "== tests"
cargo nextest run --workspace --locked --no-fail-fast
