#!/usr/bin/env bash
# Runs the JavaScript verifier's tests (npm ci + npm test). Called by Maven (evidence-signer's
# test phase, exec-maven-plugin) and usable by hand. Where node is absent it says so and succeeds,
# so the Java build still runs on machines without Node.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "[evidence-signer/js] SKIPPED: 'node' is not on PATH; the JavaScript verifier tests did not run (need Node >= 20)."
  exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "[evidence-signer/js] FAILED: node $(node --version) found, Node >= 20 is required." >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "[evidence-signer/js] FAILED: node is installed but npm is not." >&2
  exit 1
fi

echo "[evidence-signer/js] node $(node --version), npm $(npm --version 2>/dev/null): npm ci && npm test"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
npm test
