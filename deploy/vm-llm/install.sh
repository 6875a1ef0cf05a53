#!/usr/bin/env bash
# Installs the H.U.G.H. LLM worker on an LLM VM (Debian 12) beside Ollama or vLLM: Node.js 20, the
# app in /opt/hugh, the hugh user, /etc/hugh/worker.env and hugh-worker.service.
# Ollama or vLLM itself is installed separately (see README.md).
#
#   sudo bash deploy/vm-llm/install.sh
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$repo/deploy/lib.sh"
app=/opt/hugh

echo "==> Packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends build-essential python3 ca-certificates curl rsync >/dev/null

echo "==> Node.js 20"
ensure_node20

echo "==> User and application"
ensure_hugh_user
mkdir -p "$app" /etc/hugh
# The whole workspace is installed: `npm run build` compiles every package (they share one tsc build).
install_app "$repo" "$app"

echo "==> Configuration and service"
[ -f /etc/hugh/worker.env ] || install -m 0640 -o root -g hugh "$app/deploy/vm-llm/worker.env.example" /etc/hugh/worker.env
install -m 0644 "$app/deploy/vm-llm/hugh-worker.service" /etc/systemd/system/hugh-worker.service
systemctl daemon-reload
if grep -q change-me /etc/hugh/worker.env; then
  echo "Edit /etc/hugh/worker.env (Convex URL, secret, model), then: systemctl enable --now hugh-worker"
else
  systemctl enable --now hugh-worker
fi
echo "Logs: journalctl -u hugh-worker -f"
