#!/usr/bin/env bash
# Install what `python3 -m venv` needs on a Debian/Ubuntu machine that lacks it.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "==> installing python3-venv and python3-dev from the distribution"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq python3-venv python3-dev >/dev/null
