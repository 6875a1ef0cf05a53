#!/usr/bin/env bash
# Installs the H.U.G.H. Voice hub on VM_Vocal (Debian 12): packages, Node.js 20, the app in
# /opt/hugh, the Silero VAD model, the hugh user, /etc/hugh/hub.yaml and hugh-hub.service.
# The GPU engines (whisper.cpp, llama.cpp) are built and started separately: see README.md.
#
#   sudo bash deploy/vm-vocal/install.sh
#
# HUGH_MODELS_SRC=/folder copies silero_vad_v5.onnx from a folder instead of downloading it.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$repo/deploy/lib.sh"
app=/opt/hugh
models=/var/lib/hugh/models

echo "==> Packages (pocketsphinx and espeak-ng are the CPU fallbacks)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  pocketsphinx pocketsphinx-en-us espeak-ng flite sox build-essential python3 ca-certificates curl rsync >/dev/null

echo "==> Node.js 20"
ensure_node20

echo "==> User and application"
ensure_hugh_user
mkdir -p "$app" "$models" /etc/hugh
install_app "$repo" "$app"

echo "==> Silero VAD v5"
vad="$models/silero_vad_v5.onnx"
if [ -n "${HUGH_MODELS_SRC:-}" ]; then
  cp "$HUGH_MODELS_SRC/silero_vad_v5.onnx" "$vad"
elif [ ! -s "$vad" ]; then
  curl -fL --progress-bar -o "$vad.part" https://github.com/snakers4/silero-vad/raw/v5.1.2/src/silero_vad/data/silero_vad.onnx
  mv "$vad.part" "$vad"
fi
echo "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f  $vad" | sha256sum -c -
chown -R hugh:hugh /var/lib/hugh

echo "==> Configuration and service"
[ -f /etc/hugh/hub.yaml ] || install -m 0640 -o root -g hugh "$app/deploy/vm-vocal/hub.example.yaml" /etc/hugh/hub.yaml
install -m 0644 "$app/deploy/vm-vocal/hugh-hub.service" /etc/systemd/system/hugh-hub.service
systemctl daemon-reload
systemctl enable --now hugh-hub
echo "Done. Logs: journalctl -u hugh-hub -f    Health: curl localhost:8750/healthz"
