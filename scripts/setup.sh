#!/usr/bin/env bash
# Installs what H.U.G.H. Voice needs on Debian 12 / Raspberry Pi OS (bookworm), builds it and puts the
# speech models in .cache/models.
# Idempotent: run it as often as you like. `--test` adds what the test suite uses.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=false
[ "${1:-}" = "--test" ] && want_tests=true

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

packages=(sox alsa-utils libasound2-dev flite espeak-ng pocketsphinx pocketsphinx-en-us build-essential python3 ca-certificates curl)
# mosquitto: the tests start their own broker on a free port (Debian also starts its service on 1883).
# chromium: the dashboard test drives it headless through playwright-core.
# python3-jinja2: the Home Assistant discovery test renders its templates with the engine Home Assistant uses.
# prometheus: its promtool checks and unit-tests deploy/monitoring's alert rules (the server is not started).
$want_tests && packages+=(mosquitto mosquitto-clients chromium python3-jinja2 prometheus)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Only promtool is wanted: the Prometheus server the package just started (where systemd runs) goes.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $sudo_cmd systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is needed (found: $(node -v 2>/dev/null || echo none)); installing Node 20 from NodeSource"
  curl -fsSL https://deb.nodesource.com/setup_20.x | $sudo_cmd bash -
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs >/dev/null
fi

# onnxruntime-node's install script downloads CUDA files we do not use; its CPU build ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
npm run --silent build
# The VAD and wake-word models, checked by sha256: from ../shared/models, else from the npm registry.
node scripts/fetch-models.mjs --quiet
