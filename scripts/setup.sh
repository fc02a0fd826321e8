#!/usr/bin/env bash
# Installs what Snaptray needs on Debian or Ubuntu, then its npm packages, then builds it.
#   scripts/setup.sh          for running backups (rsync, ssh client)
#   scripts/setup.sh --test   also what the tests and benchmarks use (sshd, Xvfb, dunst, Chromium, rsnapshot)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(rsync openssh-client util-linux)
if [ "${1:-}" = "--test" ]; then
  packages+=(openssh-server xvfb dbus-x11 libnotify-bin dunst chromium rsnapshot
    dropbear-bin busybox python3 exfat-fuse exfatprogs fuse3 ntfs-3g)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Snaptray needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# Electron's binary is fetched on first start, not at install (it is not needed for the CLI).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
