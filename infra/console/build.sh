#!/usr/bin/env bash
# Builds the web console into infra/console/dist with the npm toolchain pinned by package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs
