#!/usr/bin/env bash
# Installs the H.U.G.H. LLM worker on an LLM VM (Debian 12) beside Ollama or vLLM: Node.js 20, the
# app in /opt/hugh, the hugh user, /etc/hugh/worker.env, the hugh-worker command and
# hugh-worker.service. Run it again to upgrade: worker.env is kept. Ollama or vLLM itself is
# installed separately (see README.md). The worker loads no speech model.
#
#   sudo bash deploy/vm-llm/install.sh
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$repo/deploy/lib.sh"

step "Packages"
apt_install build-essential python3 ca-certificates curl rsync

step "Node.js 20"
ensure_node20

step "User hugh and the application in $app"
ensure_hugh_user
# The whole workspace is installed: `npm run build` compiles every package (they share one tsc build).
install_app "$repo"

step "Configuration and service"
install_config "$app/deploy/vm-llm/worker.env.example" /etc/hugh/worker.env
install_command hugh-worker worker/bin/hugh-worker.js /etc/hugh/worker.env
install_unit "$app/deploy/vm-llm/hugh-worker.service"
if grep -q change-me /etc/hugh/worker.env; then
  echo "Edit /etc/hugh/worker.env (Convex URL, secret, model), then run this again (or: systemctl enable --now hugh-worker)."
else
  start_units hugh-worker
fi
echo "Logs: journalctl -u hugh-worker -f"
