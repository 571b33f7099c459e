#!/usr/bin/env bash
# Runs the disk-full checks of the reliability package. They mount small
# tmpfs file systems, which needs root: as another user the script re-runs
# itself under sudo (the tests skip cleanly when they cannot mount).
#
#   GOVSEARCH_DISKFULL_MB=5    size of the tmpfs the upload test fills
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "diskfull.sh: needs root (no sudo here)" >&2; exit 1; }
  exec sudo -E env "PATH=$PATH" "$0" "$@"
fi
go test -count=1 -run 'TestDiskFull' -v ./reliability/
