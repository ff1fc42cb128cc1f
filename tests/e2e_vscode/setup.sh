#!/usr/bin/env bash
# Installs what tests/e2e_vscode/test_vscode.py needs: code-server 4.99.4 (VS Code 1.99.3) from
# npm, built against Debian's libraries and ripgrep, playwright-core, and Debian's Chromium.
#
#   bash tests/e2e_vscode/setup.sh            # into ~/.cache/leanstep-e2e
#   LEANSTEP_E2E_DIR=/some/dir bash tests/e2e_vscode/setup.sh
#
# Then run the test with LEANSTEP_E2E_DIR set to the same folder (see test_vscode.py).
# Idempotent: a finished step is skipped on the next run; `$DIR/ready` is written last, and
# the test only runs when it exists. Needs root (or sudo) for apt-get, Node 20 with npm, and
# only the npm registry and Debian's mirrors: nothing downloads a binary from elsewhere
# (code-server's own install script would fetch ripgrep from GitHub, so it is not run).
set -euo pipefail

CODE_SERVER_VERSION=4.99.4
PLAYWRIGHT_CORE_VERSION=1.65.1
APT_PACKAGES=(
    build-essential python3 pkg-config
    libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
    ripgrep chromium fonts-dejavu-core fonts-liberation
)
# code-server's native modules (lib/vscode/node_modules/...): rebuilt here against this Node.
NATIVE_MODULES=(
    @vscode/spdlog @parcel/watcher kerberos native-watchdog node-pty @vscode/deviceid
)

DIR="${LEANSTEP_E2E_DIR:-$HOME/.cache/leanstep-e2e}"
T0=$(date +%s)
STEP_T0=$T0

log() { printf '[e2e-setup %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() {
    printf '[e2e-setup] ERROR: %s\n' "$*" >&2
    exit 1
}
step_done() {
    local now
    now=$(date +%s)
    log "done: $1 ($((now - STEP_T0)) s)"
    STEP_T0=$now
}
trap 'printf "[e2e-setup] FAILED at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

# --- prerequisites ------------------------------------------------------------------------
command -v node >/dev/null || die "node (version 20) is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" = 20 ] || die "code-server $CODE_SERVER_VERSION needs Node 20, found $(node --version)"
# node-gyp must build against this Node's own headers (it would otherwise download them).
NODE_PREFIX=$(dirname "$(dirname "$(node -p 'process.execPath')")")
[ -f "$NODE_PREFIX/include/node/node.h" ] ||
    die "no Node headers at $NODE_PREFIX/include/node (install Node 20 with its headers)"

if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null; then
    SUDO=(sudo)
else
    SUDO=()
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
rm -f "$DIR/ready"
log "installing into $DIR"

# --- Debian packages ----------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] && [ ${#SUDO[@]} = 0 ]; then
        die "missing Debian packages (${missing[*]}) and neither root nor sudo"
    fi
    log "apt-get install ${missing[*]}"
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}"
else
    log "Debian packages already installed"
fi
command -v rg >/dev/null || die "rg (ripgrep) is not on PATH after installing ripgrep"
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || die "chromium is not on PATH after installing chromium"
step_done "Debian packages"

# --- code-server --------------------------------------------------------------------------
CS_ROOT="$DIR/code-server"
CS="$CS_ROOT/node_modules/code-server"
VSCODE="$CS/lib/vscode"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_yes=true npm_config_nodedir="$NODE_PREFIX"
export JOBS=max  # node-gyp: make -j on all cores

have_cs_version=$(node -p "try { require('$CS/package.json').version } catch { '' }" 2>/dev/null || true)
if [ "$have_cs_version" != "$CODE_SERVER_VERSION" ] || [ ! -f "$CS_ROOT/.vscode-deps-done" ]; then
    log "npm install code-server@$CODE_SERVER_VERSION --ignore-scripts"
    rm -rf "$CS_ROOT"
    mkdir -p "$CS_ROOT"
    (cd "$CS_ROOT" && echo '{"name":"leanstep-e2e-code-server","private":true}' >package.json &&
        npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION")
    [ -f "$VSCODE/package.json" ] || die "code-server package has no lib/vscode"
    step_done "code-server package"

    # What code-server's postinstall.sh does, without the downloads of install scripts.
    log "npm install --omit=dev --ignore-scripts (lib/vscode)"
    (cd "$VSCODE" && npm install --omit=dev --ignore-scripts)
    log "npm install --omit=dev --ignore-scripts (lib/vscode/extensions)"
    (cd "$VSCODE/extensions" && npm install --omit=dev --ignore-scripts)
    touch "$CS_ROOT/.vscode-deps-done"
    step_done "VS Code dependencies"
fi

# ripgrep: Debian's binary where @vscode/ripgrep's install script would have downloaded one.
RG_DIR="$VSCODE/node_modules/@vscode/ripgrep/bin"
mkdir -p "$RG_DIR"
if ! cmp -s "$(command -v rg)" "$RG_DIR/rg"; then
    cp "$(command -v rg)" "$RG_DIR/rg"
    chmod 755 "$RG_DIR/rg"
fi
# VS Code (and extensions) look for files in node_modules.asar; code-server links it.
if [ ! -L "$VSCODE/node_modules.asar" ]; then
    rm -rf "$VSCODE/node_modules.asar"
    ln -s node_modules "$VSCODE/node_modules.asar"
fi

# Native modules: built against Node 20's headers and Debian's libraries.
if [ ! -f "$CS_ROOT/.native-done" ]; then
    present=()
    for m in "${NATIVE_MODULES[@]}"; do
        [ -d "$VSCODE/node_modules/$m" ] && present+=("$m")
    done
    log "npm rebuild ${present[*]} (lib/vscode)"
    # (build from source: kerberos' install script would first try to download a prebuilt one)
    (cd "$VSCODE" && npm_config_build_from_source=true npm rebuild --foreground-scripts "${present[@]}") \
        >"$DIR/native-build.log" 2>&1 ||
        die "building code-server's native modules failed; see $DIR/native-build.log"
    # code-server's own argon2 (password auth, loaded at start-up); from source: its install
    # script would otherwise try to download a prebuilt binary first.
    (cd "$CS_ROOT" && npm_config_build_from_source=true npm rebuild --foreground-scripts argon2) \
        >>"$DIR/native-build.log" 2>&1 ||
        die "building code-server's own modules failed; see $DIR/native-build.log"
    touch "$CS_ROOT/.native-done"
    step_done "native modules"
fi
for m in spdlog node-pty; do
    find "$VSCODE/node_modules" -path "*$m*/build/Release/*.node" | grep -q . ||
        die "native module $m was not built; see $DIR/native-build.log"
done

# --- playwright-core (drives Debian's Chromium over CDP; no browser download) -------------
PW="$DIR/driver"
have_pw=$(node -p "try { require('$PW/node_modules/playwright-core/package.json').version } catch { '' }" 2>/dev/null || true)
if [ "$have_pw" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    log "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION"
    mkdir -p "$PW"
    (cd "$PW" && echo '{"name":"leanstep-e2e-driver","private":true}' >package.json &&
        npm install --ignore-scripts --no-save "playwright-core@$PLAYWRIGHT_CORE_VERSION")
    step_done "playwright-core"
fi

# --- smoke checks -------------------------------------------------------------------------
# (with a config file of its own: code-server would write one into ~/.config otherwise)
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' >"$DIR/code-server.yaml"
cs_version=$(cd "$CS" && node out/node/entry.js --config "$DIR/code-server.yaml" --version | tail -1) ||
    die "code-server does not start: cd $CS && node out/node/entry.js --version"
chromium_version=$("$CHROMIUM" --version 2>/dev/null | head -1) || die "chromium --version failed"
(cd "$PW" && node -e "require('playwright-core')") || die "playwright-core does not load"
step_done "smoke checks"

cat >"$DIR/ready" <<EOF
code_server=$CS
code_server_config=$DIR/code-server.yaml
code_server_version=$cs_version
chromium=$CHROMIUM
chromium_version=$chromium_version
playwright_core=$PW/node_modules/playwright-core
node=$(node --version)
EOF
log "ready: $cs_version; $chromium_version; playwright-core $PLAYWRIGHT_CORE_VERSION"
log "disk used: $(du -sh "$DIR" | cut -f1) in $DIR; total $(($(date +%s) - T0)) s"
