#!/usr/bin/env bash
# Installs what tappaas-cicd and its tests need on a Debian or Ubuntu machine: the system
# packages (nix-bin, git, OpenSSH server and client, iproute2, shellcheck) where missing, then the npm
# dependencies (which also build the `tappaas` CLI). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "setup: install it from your distribution (Debian 13 / Ubuntu 24.04: apt-get install nodejs npm) or NodeSource, then run this again." >&2
  exit 2
fi

need=()
command -v nix-instantiate >/dev/null 2>&1 || need+=(nix-bin)
command -v git >/dev/null 2>&1 || need+=(git)
[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
[ -x /usr/sbin/ip ] || command -v ip >/dev/null 2>&1 || need+=(iproute2)
# The first-boot script is checked as nixpkgs' writeShellApplication will check it.
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
