#!/usr/bin/env bash
# Installs the H.U.G.H. Voice hub on VM_Vocal (Debian 12): packages, Node.js 20, the app in
# /opt/hugh, the models (checked by sha256), the hugh user, /etc/hugh/hub.yaml and hub.env, the
# hugh-hub command and hugh-hub.service. Run it again to upgrade: config, credentials and
# /var/lib/hugh are kept. The GPU engines (whisper.cpp, llama.cpp) are built and started
# separately: see README.md.
#
#   sudo bash deploy/vm-vocal/install.sh
#
# HUGH_MODELS_SRC=/folder takes the models from a folder instead of ../shared/models or the npm registry.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$repo/deploy/lib.sh"
outetts_speaker_url=https://raw.githubusercontent.com/edwko/OuteTTS/c2d413b8e9629587b0c8bb75df1ce70c0b5880f3/outetts/version/v1/default_speakers/en_male_1.json
outetts_speaker_sha256=a93862737121fb9a00cab28e23cd7a52cc879bc6fd32ac90946127774e3e58a4

step "Packages (pocketsphinx and espeak-ng are the CPU fallbacks)"
apt_install pocketsphinx pocketsphinx-en-us espeak-ng flite sox build-essential python3 ca-certificates curl rsync tar

step "Node.js 20"
ensure_node20

step "User hugh and the application in $app"
ensure_hugh_user
install_app "$repo"

step "Models in $data/models"
install_models "$repo"

step "OuteTTS speaker profile in $data/models/outetts"
# OuteTTS without a speaker profile picks a new voice for every sentence; this is the profile
# llama.cpp's tts example uses (OuteTTS's own en_male_1.json), pinned to a commit and checked.
# Offline, the hub still starts: its OuteTTS engine stays unavailable (espeak-ng answers) until the
# file is there; run this script again, or copy the file there yourself.
install -d -m 0755 -o hugh -g hugh "$data/models/outetts"
fetch_checked "$outetts_speaker_url" "$outetts_speaker_sha256" "$data/models/outetts/en_male_1.json" ||
  echo "warning: OuteTTS speaker not installed; OuteTTS stays off until $data/models/outetts/en_male_1.json is there" >&2

step "Configuration in /etc/hugh"
install_config "$app/deploy/vm-vocal/hub.example.yaml" /etc/hugh/hub.yaml
install_config "$app/deploy/vm-vocal/hub.env.example" /etc/hugh/hub.env
install_command hugh-hub hub/bin/hugh-hub.js /etc/hugh/hub.env HUGH_HUB_CONFIG=/etc/hugh/hub.yaml

step "Service"
install_unit "$app/deploy/vm-vocal/hugh-hub.service"
start_units hugh-hub
echo
echo "Done. Check it: sudo -u hugh hugh-hub doctor    Logs: journalctl -u hugh-hub -f    Health: curl localhost:8750/healthz"
echo "Each satellite: sudo -u hugh hugh-hub satellite add <id> (the running hub sees it at once)"
