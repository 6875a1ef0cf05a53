#!/usr/bin/env bash
# Installs an H.U.G.H. Voice satellite on Raspberry Pi OS 64-bit (bookworm), or any Debian 12:
# packages, Node.js 20, the app in /opt/hugh, the wake-word models (checked by sha256), a system
# user in the audio group, /etc/hugh/satellite.yaml and satellite.env, the hugh-satellite command
# and a systemd service that restarts on failure. Run it again to upgrade: config, credentials and
# /var/lib/hugh are kept.
#
#   sudo bash deploy/pi/install.sh            # from a clone of the repository
#
# HUGH_MODELS_SRC=/folder takes the models from a folder (e.g. a copy of another machine's
# /var/lib/hugh/models) instead of ../shared/models or the npm registry.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$repo/deploy/lib.sh"
config=/etc/hugh/satellite.yaml

step "Packages"
apt_install alsa-utils sox libasound2-dev build-essential python3 ca-certificates curl rsync tar

step "Node.js 20"
ensure_node20

step "User hugh (in the audio group)"
ensure_hugh_user
usermod -a -G audio hugh

step "Application in $app"
install_app "$repo"

step "Models in $data/models"
install_models "$repo"

step "Configuration in /etc/hugh"
if [ ! -e "$config" ]; then
  install_config "$app/deploy/pi/satellite.example.yaml" "$config"
  sed -i "s/^id: .*/id: $(hostname | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_\n-' '-')/" "$config"
  echo "edit $config: at least hub: (the hub's address) and room:"
else
  echo "kept $config"
fi
install_config "$app/deploy/pi/satellite.env.example" /etc/hugh/satellite.env
install_command hugh-satellite satellite/bin/hugh-satellite.js /etc/hugh/satellite.env HUGH_SATELLITE_CONFIG="$config" HUGH_MODELS_DIR="$data/models/openwakeword"

step "Service"
install_unit "$app/deploy/pi/hugh-satellite.service"
start_units hugh-satellite
echo
echo "Done. Check it: sudo -u hugh hugh-satellite doctor    Logs: journalctl -u hugh-satellite -f"
echo "Test the wake word: sudo -u hugh hugh-satellite detect --input FILE.wav"
