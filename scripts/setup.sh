#!/usr/bin/env bash
# Installs what Snaptray needs on Debian or Ubuntu, then its npm packages, then builds it.
#   scripts/setup.sh          for running backups (rsync, ssh client)
#   scripts/setup.sh --test   also what the tests and benchmarks use (sshd, Xvfb, dunst, Chromium, rsnapshot)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(rsync openssh-client util-linux)
if [ "${1:-}" = "--test" ]; then
  packages+=(openssh-server xvfb dbus-x11 libnotify-bin dunst chromium rsnapshot
    dropbear-bin busybox python3 python3-gi libglib2.0-bin exfat-fuse exfatprogs fuse3 ntfs-3g systemd faketime)
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

# Vite (the window's build) and Electron's tools load ES modules with require(): Node 20.19+.
if ! command -v node >/dev/null ||
  ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "Snaptray needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# Electron's binary is fetched on first start, not at install (it is not needed for the CLI).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Electron's install tools declare Node 22.12 but run on Node 20.19+ (require() of ES
  # modules): --loglevel=error hides those engine warnings, as "Getting started" in the README
  # says; errors still show.
  npm ci --no-audit --no-fund --loglevel=error
fi

# Build only when something the build reads changed since the last successful build. The stamp
# holds a checksum of those files' names and contents, so a fresh clone, a pull, an edit or a
# deleted file all rebuild, whatever the files' times say.
stamp=dist/.build-inputs
inputs_checksum() {
  {
    find core electron renderer -type f -print0
    printf '%s\0' scripts/bundle-cli.mjs scripts/build-app.mjs package.json package-lock.json \
      tsconfig*.json vite.config.ts
  } | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
checksum="$(inputs_checksum)"
if [ "${1:-}" = "--test" ] || [ ! -f dist/cli/snaptray.mjs ] ||
  [ "$(cat "$stamp" 2>/dev/null)" != "$checksum" ]; then
  # A build that fails half-way must not leave the stamp of an earlier one.
  rm -f "$stamp"
  npm run build --silent
  echo "$checksum" >"$stamp"
fi
