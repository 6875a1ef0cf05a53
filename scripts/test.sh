#!/usr/bin/env bash
# Quick start: set up (with the test extras), then type-check and run every test (npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
npm run lint
npm test
