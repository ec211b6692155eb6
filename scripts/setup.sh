#!/usr/bin/env bash
# Installs what building, running and testing Firebreak needs on a fresh Debian/Ubuntu
# machine, and only what is missing: the system libraries Tauri builds against, the
# WebDriver pieces and a virtual display for the end-to-end tests, Node for the UI,
# and the Rust toolchain; then builds the UI. Sourced by run.sh and test.sh (which
# adds the test-only tools).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Tauri 2 on Linux (WebKitGTK 4.1), plus WebKitWebDriver, Xvfb and curl for the tests.
apt_packages=(
  build-essential pkg-config curl ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev libxdo-dev
  webkit2gtk-driver xvfb xauth
)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Vite 7 needs Node 20.19 or newer.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "setup: Node $(node --version) is too old for the UI build (Vite 7 needs 20.19+)" >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing the Rust toolchain with rustup" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
export PATH="$HOME/.cargo/bin:$PATH"


# The UI: its npm packages and its build (the desktop binary embeds ui/dist).
npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run build
