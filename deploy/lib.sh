# shellcheck shell=bash
# Steps every H.U.G.H. install script shares; sourced by deploy/*/install.sh (run as root).

# Node.js 20 or newer, from NodeSource when the distribution's is older.
ensure_node20() {
  if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
    curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
  fi
  node --version
}

# The system user the services run as.
ensure_hugh_user() {
  id hugh >/dev/null 2>&1 || useradd --system --home-dir /var/lib/hugh --create-home --shell /usr/sbin/nologin hugh
}

# Copies the repository ($1) to the application folder ($2) and builds it there.
# onnxruntime-node's install script fetches CUDA files nobody here uses; its CPU build is in the package.
install_app() {
  local repo="$1" app="$2"
  mkdir -p "$app"
  rsync -a --delete --exclude node_modules --exclude .git "$repo/" "$app/"
  (cd "$app" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund)
}
