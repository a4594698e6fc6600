#!/usr/bin/env bash
# Headless Chromium for the JupyterLab tests (test/jupyterlab/lab.test.ts): Debian's
# `chromium` package when no Chromium is installed. Idempotent: does nothing when
# /usr/bin/chromium (or $CHROMIUM) is there. Needs apt-get (as root, or sudo).
set -euo pipefail

if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then
  echo "chromium-setup: using $CHROMIUM"
  exit 0
fi
for c in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$c" ]; then
    echo "chromium-setup: $("$c" --version 2>/dev/null || echo "$c") is installed"
    exit 0
  fi
done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium-setup: no Chromium and no apt-get; install Chromium and set CHROMIUM=/path/to/chromium" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "chromium-setup: installing chromium needs root (apt-get install -y chromium)" >&2
    exit 1
  fi
fi
echo "chromium-setup: apt-get install -y chromium"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
