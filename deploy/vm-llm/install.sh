#!/usr/bin/env bash
# Installs the H.U.G.H. LLM worker on an LLM VM (Debian 12) beside Ollama or vLLM: Node.js 20, the
# app in /opt/hugh, the hugh user, /etc/hugh/worker.env and hugh-worker.service.
# Ollama or vLLM itself is installed separately (see README.md).
#
#   sudo bash deploy/vm-llm/install.sh
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
app=/opt/hugh

echo "==> Packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends build-essential python3 ca-certificates curl rsync >/dev/null

echo "==> Node.js 20"
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi

echo "==> User and application"
id hugh >/dev/null 2>&1 || useradd --system --home-dir /var/lib/hugh --create-home --shell /usr/sbin/nologin hugh
mkdir -p "$app" /etc/hugh
rsync -a --delete --exclude node_modules --exclude .git "$repo/" "$app/"
cd "$app"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --workspace worker --include-workspace-root
npm run build
npm prune --omit=dev --no-audit --no-fund

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
