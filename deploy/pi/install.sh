#!/usr/bin/env bash
# Installs an H.U.G.H. Voice satellite on Raspberry Pi OS 64-bit (bookworm), or any Debian 12:
# packages, Node.js 20, the app in /opt/hugh, the wake-word models, a system user in the audio
# group, the config in /etc/hugh and a systemd service that restarts on failure.
#
#   sudo bash deploy/pi/install.sh            # from a clone of the repository
#
# Environment: HUGH_MODELS_SRC=/path (copy models from a folder instead of downloading),
# HUGH_MODELS_BASE_URL (where to download them from), HUGH_SKIP_MODEL_CHECK=1 (accept other
# checksums, e.g. newer model versions).
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$repo/deploy/lib.sh"
app=/opt/hugh
models=/var/lib/hugh/models/openwakeword
config=/etc/hugh/satellite.yaml

step() { printf '\n==> %s\n' "$*"; }

step "Packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  alsa-utils sox libasound2-dev build-essential python3 ca-certificates curl rsync >/dev/null

step "Node.js 20"
ensure_node20

step "User hugh (in the audio group)"
ensure_hugh_user
usermod -a -G audio hugh

step "Application in $app"
install_app "$repo" "$app"
chown -R root:root "$app"

step "Wake-word models in $models"
mkdir -p "$models"
base="${HUGH_MODELS_BASE_URL:-https://github.com/dscripka/openWakeWord/releases/download/v0.5.1}"
# sha256 of the versions the project is tested with (see shared/models/PROVENANCE.md).
declare -A sums=(
  [melspectrogram.onnx]=ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f
  [embedding_model.onnx]=70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f
  [hey_jarvis_v0.1.onnx]=94a13cfe60075b132f6a472e7e462e8123ee70861bc3fb58434a73712ee0d2cb
)
for file in melspectrogram.onnx embedding_model.onnx hey_jarvis_v0.1.onnx; do
  target="$models/$file"
  if [ -n "${HUGH_MODELS_SRC:-}" ]; then
    cp "$HUGH_MODELS_SRC/$file" "$target"
  elif [ ! -s "$target" ]; then
    echo "downloading $file"
    curl -fL --progress-bar -o "$target.part" "$base/$file"
    mv "$target.part" "$target"
  fi
  actual=$(sha256sum "$target" | cut -d' ' -f1)
  if [ "$actual" != "${sums[$file]}" ]; then
    if [ "${HUGH_SKIP_MODEL_CHECK:-}" = 1 ]; then
      echo "warning: $file has sha256 $actual, not the tested ${sums[$file]}"
    else
      echo "install.sh: $file has sha256 $actual, expected ${sums[$file]}." >&2
      echo "Copy the tested files with HUGH_MODELS_SRC=/folder, or accept these with HUGH_SKIP_MODEL_CHECK=1." >&2
      exit 1
    fi
  fi
done
chown -R hugh:hugh /var/lib/hugh

step "Configuration in $config"
mkdir -p /etc/hugh
if [ ! -f "$config" ]; then
  install -m 0640 -o root -g hugh "$app/deploy/pi/satellite.example.yaml" "$config"
  sed -i "s/^id: .*/id: $(hostname | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_\n-' '-')/" "$config"
  echo "edit $config: at least hub: (the hub's address) and room:"
fi

step "Service"
install -m 0644 "$app/deploy/pi/hugh-satellite.service" /etc/systemd/system/hugh-satellite.service
systemctl daemon-reload
systemctl enable --now hugh-satellite
systemctl --no-pager status hugh-satellite | head -5 || true
echo
echo "Done. Logs: journalctl -u hugh-satellite -f    Test the wake word: sudo -u hugh node $app/satellite/bin/hugh-satellite.js detect --config $config --input FILE.wav"
