#!/bin/sh
# Install the pinned bun (tools/package.json) from npm if it is not there yet,
# then print its path. Reflex cannot download bun offline; rxconfig.py points
# Reflex at this binary. Usage: scripts/ensure_bun.sh
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
bun="$root/tools/node_modules/@oven/bun-linux-x64/bin/bun"
if [ ! -x "$bun" ]; then
    # `npm ci` installs exactly tools/package-lock.json; it needs only the npm registry.
    npm ci --prefix "$root/tools" --no-audit --no-fund >&2
fi
"$bun" --version >/dev/null
echo "$bun"
