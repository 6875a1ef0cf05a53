#!/usr/bin/env bash
# Quick start: set up (with the test extras), then type-check, run every test (npm test) and the
# system tests in deploy/test: a copy of this checkout with nothing beside it (models from the npm
# registry), and, where HUGH_INSTALL_TEST=1 says the machine is a throwaway one (CI sets it), the
# install scripts run for real as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
npm run lint
npm test
system_tests=(deploy/test/fresh-clone.test.ts)
if [ "${HUGH_INSTALL_TEST:-}" = 1 ]; then
  system_tests+=(deploy/test/install.test.ts)
else
  echo "test: deploy/test/install.test.ts skipped: it installs H.U.G.H. on this machine as root (set HUGH_INSTALL_TEST=1 on a throwaway one)"
fi
npx vitest run --config deploy/test/vitest.config.ts "${system_tests[@]}"
