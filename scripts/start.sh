#!/usr/bin/env bash
# Quick start: set up, then run the hub on its embedded defaults (MQTT broker on 1883, HTTP +
# WebSocket on 8750, pocketsphinx and espeak-ng). Extra arguments go to hugh-hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Silero VAD model: HUGH_VAD_MODEL, else where install scripts put it, else ../shared/models.
if [ -z "${HUGH_VAD_MODEL:-}" ] && [ ! -f /var/lib/hugh/models/silero_vad_v5.onnx ] && [ -f ../shared/models/silero-vad/silero_vad_v5.onnx ]; then
  HUGH_VAD_MODEL="$(cd ../shared/models/silero-vad && pwd)/silero_vad_v5.onnx"
  export HUGH_VAD_MODEL
fi
exec node hub/bin/hugh-hub.js "$@"
