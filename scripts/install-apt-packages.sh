#!/usr/bin/env bash
# Install distribution packages by name (as root, or through sudo), updating the lists once.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "==> installing from the distribution: $*"
if ! $SUDO apt-get install -y -qq "$@" >/dev/null 2>&1; then
    $SUDO timeout 300 apt-get update -qq
    $SUDO timeout 600 apt-get install -y -qq "$@" >/dev/null
fi
