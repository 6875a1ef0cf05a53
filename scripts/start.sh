#!/usr/bin/env bash
# Quick start: set up, then run the hub on its embedded defaults (MQTT broker on 1883, HTTP +
# WebSocket on 8750, pocketsphinx and espeak-ng). Extra arguments go to hugh-hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node hub/bin/hugh-hub.js "$@"
