#!/usr/bin/env bash
# Installs what the e2e tests need, idempotently (about 2-3 minutes cold, a second when done):
#   1. apt: Debian's chromium (the browser), ripgrep, and the build tools and libkrb5-dev that
#      code-server's native modules compile against.
#   2. The @vscode/ripgrep download cache, seeded with Debian's rg: code-server's postinstall
#      would otherwise download rg from the internet.
#   3. npm ci in test/e2e: code-server 4.100.3 (the newest that runs on Node 20) and
#      playwright-core, pinned by test/e2e/package-lock.json and kept out of the main package so
#      the project's own `npm ci` stays light.
# Adapted from shared/e2e/setup.sh; its README lists the traps this script works around.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# The @vscode/ripgrep version pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json) and
# the ripgrep build tag its lib/postinstall.js downloads.
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_TAG=v13.0.0-10
log() { printf '[e2e setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# ---- 1. apt
APT_PACKAGES=(chromium ripgrep libkrb5-dev build-essential python3 pkg-config ca-certificates)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. ripgrep cache (TMPDIR must be the same here and for npm below)
case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
RG_CACHE_DIR="${TMPDIR:-/tmp}/vscode-ripgrep-cache-${VSCODE_RIPGREP_VERSION}"
RG_TARBALL="$RG_CACHE_DIR/ripgrep-${RIPGREP_TAG}-${RG_TARGET}.tar.gz"
if [ ! -s "$RG_TARBALL" ]; then
  log "seeding $RG_TARBALL with $(command -v rg)"
  mkdir -p "$RG_CACHE_DIR"
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  tar czf "$RG_TARBALL.tmp" -C "$stage" rg
  mv "$RG_TARBALL.tmp" "$RG_TARBALL"
  rm -rf "$stage"
fi

# ---- 3. npm (code-server, playwright-core)
cd "$HERE"
CS_DIR="$HERE/node_modules/code-server"
# Done when everything is in place and the marker written after the last install is newer than
# the lockfile (a changed lockfile means reinstall).
installed() {
  [ -x "$HERE/node_modules/.bin/code-server" ] &&
    [ -x "$CS_DIR/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] &&
    [ -e "$CS_DIR/lib/vscode/node_modules.asar" ] &&
    [ -f "$HERE/node_modules/playwright-core/package.json" ] &&
    [ "$HERE/node_modules/.kmodlab-installed" -nt "$HERE/package-lock.json" ]
}
if ! installed; then
  # code-server's postinstall refuses to run as root without unsafe-perm, and builds native
  # modules; node-gyp uses the local Node headers instead of downloading them.
  export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false
  if [ -z "${npm_config_nodedir:-}" ]; then
    node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
    if [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi
  fi
  log "npm ci (code-server, playwright-core)"
  npm ci --no-audit --no-fund </dev/null
  if [ ! -x "$CS_DIR/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] || [ ! -e "$CS_DIR/lib/vscode/node_modules.asar" ]; then
    log "re-running code-server's postinstall"
    (cd "$CS_DIR" && npm_config_user_agent="npm/$(npm -v) node/$(node -v) linux x64" sh ./postinstall.sh)
  fi
  touch node_modules/.kmodlab-installed
fi

command -v chromium >/dev/null
log "ready: code-server $(node -p "require('$CS_DIR/package.json').version"), playwright-core $(node -p "require('$HERE/node_modules/playwright-core/package.json').version"), $(chromium --version 2>/dev/null | head -1)"
