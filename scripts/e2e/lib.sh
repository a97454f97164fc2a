# shellcheck shell=bash
# Helpers for scripts/e2e/build-tools.sh. Sourced, never run.

die() {
  printf 'build-tools: %s\n' "$*" >&2
  exit 2
}

# --- versions ---------------------------------------------------------------------------------

# json_get FILE JS-EXPRESSION-ON-j: prints the value (node of any version, else python3).
json_get() {
  local file="$1" expr="$2"
  if command -v node >/dev/null 2>&1; then
    node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=('"$expr"');if(v===undefined||v===null)process.exit(3);console.log(v)' "$file"
  elif command -v python3 >/dev/null 2>&1; then
    local pyexpr="${expr//\[\"/[\"}"
    python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));print('"$pyexpr"')' "$file"
  else
    die "need node or python3 to read $file"
  fi
}

resolve_versions() {
  local lock="$ROOT/package-lock.json" flux="$ROOT/components/flux/versions.json"
  [ -f "$lock" ] || die "missing $lock"
  [ -f "$flux" ] || die "missing $flux"
  PULUMI_VERSION="$(json_get "$lock" 'j["packages"]["node_modules/@pulumi/pulumi"]["version"]')" ||
    die "no node_modules/@pulumi/pulumi in package-lock.json"
  PULUMI_KUBERNETES_VERSION="$(json_get "$lock" 'j["packages"]["node_modules/@pulumi/kubernetes"]["version"]')" ||
    die "no node_modules/@pulumi/kubernetes in package-lock.json"
  SOURCE_CONTROLLER_VERSION="$(json_get "$flux" 'j["controllers"]["source-controller"]')" ||
    die "no controllers.source-controller in components/flux/versions.json"
  KUSTOMIZE_CONTROLLER_VERSION="$(json_get "$flux" 'j["controllers"]["kustomize-controller"]')" ||
    die "no controllers.kustomize-controller in components/flux/versions.json"
  FLUX_VERSION="$(json_get "$flux" 'j["flux"]')" || die "no flux in components/flux/versions.json"
  HELM_CONTROLLER_VERSION="$(json_get "$flux" 'j["controllers"]["helm-controller"]')" ||
    die "no controllers.helm-controller in components/flux/versions.json"
  NOTIFICATION_CONTROLLER_VERSION="$(json_get "$flux" 'j["controllers"]["notification-controller"]')" ||
    die "no controllers.notification-controller in components/flux/versions.json"
  FLUX_OPERATOR_VERSION="v$(json_get "$flux" 'j["operator"]["chartVersion"]')" ||
    die "no operator.chartVersion in components/flux/versions.json"
  PREVIOUS_FLUX_VERSION="$(json_get "$flux" 'j["previous"]["flux"]')" ||
    die "no previous.flux in components/flux/versions.json (the release the upgrade e2e starts from)"
  GO_VERSION="$(go env GOVERSION)"
  resolve_pulumi_module_versions
}

print_versions() {
  cat <<EOF
versions:
  go                          $GO_VERSION
  etcd                        $ETCD_VERSION
  sops / age-keygen           $SOPS_VERSION / ${AGE_VERSION:?}
  flux (install manifests)    v$FLUX_VERSION (github.com/fluxcd/flux2/v2 manifests/install, built with kustomize)
  flux (CLI)                  v$FLUX_VERSION (github.com/fluxcd/flux2/v2 cmd/flux, manifests by its bundle.sh)
  kubernetes                  $KUBERNETES_VERSION (staging modules $(kube_staging_version))
  source-controller           $SOURCE_CONTROLLER_VERSION
  kustomize-controller        $KUSTOMIZE_CONTROLLER_VERSION
  helm-controller             $HELM_CONTROLLER_VERSION
  notification-controller     $NOTIFICATION_CONTROLLER_VERSION
  registry / crane            $GO_CONTAINERREGISTRY_VERSION (github.com/google/go-containerregistry)
  flux-operator               $FLUX_OPERATOR_VERSION (github.com/controlplaneio-fluxcd/flux-operator; its config/data and a chart of its config/default beside it)
  pulumi (CLI)                $PULUMI_VERSION (pkg module $PULUMI_PKG_MODULE_VERSION, sdk $PULUMI_SDK_MODULE_VERSION)
  pulumi-language-nodejs      $PULUMI_VERSION (module $PULUMI_LANGUAGE_NODEJS_MODULE_VERSION)
  pulumi-resource-kubernetes  $PULUMI_KUBERNETES_VERSION (module $PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION, reports $PULUMI_KUBERNETES_PROVIDER_REPORTS)
  previous flux (upgrade e2e) v$PREVIOUS_FLUX_VERSION: $(previous_install_name), $(previous_controller_tools | tr '\n' ' ')
EOF
  local n
  for n in "${PULUMI_NOTES[@]}"; do echo "note: $n"; done
  for n in ${GO_SUBSTITUTES:-}; do
    echo "note: where a module requires ${n%%=*} (its archive refused by the proxy), ${n%%@*}@${n#*=} is used"
  done
  for n in ${FLUX_OPERATOR_SUBSTITUTES:-}; do
    echo "note: flux-operator: where it requires ${n%%=*} (its archive refused by the proxy), ${n%%@*}@${n#*=} is used"
  done
  echo "note: flux-operator: built without its web UI (web/dist is built with npm upstream and not in the module archive; a placeholder page is embedded)"
  for n in ${GO_FORK_FALLBACKS:-}; do
    echo "note: where the proxy refuses ${n%%=*} (a fork an upstream go.mod replaces to), ${n#*=} is used"
  done
  if [ "$PULUMI_LANGUAGE_NODEJS_DEPS" != "v$PULUMI_VERSION" ]; then
    echo "note: the proxy serves no language host at v$PULUMI_VERSION: built from the pinned pseudo-version (code of $PULUMI_LANGUAGE_NODEJS_DEPS)"
  fi
  if [ "${PULUMI_KUBERNETES_PROVIDER_REPORTS%%[-+]*}" != "$PULUMI_KUBERNETES_VERSION" ]; then
    echo "note: the proxy serves no provider at v$PULUMI_KUBERNETES_VERSION: built from the pinned pseudo-version ($PULUMI_KUBERNETES_PROVIDER_REPORTS)"
  fi
}

E2E_BASE="${PLATFORM_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-e2e}"

# tool_versions TOOL: the versions one tool's binary depends on (its store key).
tool_versions() {
  local common="recipe=$E2E_RECIPE go=$GO_VERSION"
  case "$1" in helm-controller | helm-controller@*) common="$common forks=${GO_FORK_FALLBACKS:-}" ;; esac
  case "$1" in pulumi*) common="$common substitutes=${GO_SUBSTITUTES:-} nosumdb=${GO_NOSUMDB:-}" ;; esac
  case "$1" in
    etcd) echo "$common etcd=$ETCD_VERSION" ;;
    sops) echo "$common sops=$SOPS_VERSION" ;;
    age-keygen) echo "$common age=$AGE_VERSION" ;;
    kube-apiserver | kube-controller-manager) echo "$common kubernetes=$KUBERNETES_VERSION" ;;
    source-controller | kustomize-controller | helm-controller | notification-controller) echo "$common $1=$(flux_controller_version "$1")" ;;
    *-controller@*) echo "$common ${1%%@*}=$(flux_controller_version "$1")" ;;
    registry | crane) echo "$common go-containerregistry=$GO_CONTAINERREGISTRY_VERSION" ;;
    pulumi) echo "$common pulumi=$PULUMI_VERSION pkg=$PULUMI_PKG_MODULE_VERSION sdk=$PULUMI_SDK_MODULE_VERSION" ;;
    pulumi-language-nodejs) echo "$common pulumi=$PULUMI_VERSION module=$PULUMI_LANGUAGE_NODEJS_MODULE_VERSION deps=$PULUMI_LANGUAGE_NODEJS_DEPS" ;;
    pulumi-resource-kubernetes) echo "$common kubernetes-provider=$PULUMI_KUBERNETES_VERSION module=$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION" ;;
    flux) echo "$common flux=$FLUX_VERSION substitutes=${GO_SUBSTITUTES:-}" ;;
    flux-operator) echo "$common flux-operator=$FLUX_OPERATOR_VERSION substitutes=${FLUX_OPERATOR_SUBSTITUTES:-}" ;;
  esac
}

# tool_store TOOL: the folder holding one build of TOOL for its versions (shared by all keys).
tool_store() { echo "$E2E_BASE/store/$1/$(tool_versions "$1" | sha256sum | cut -c1-16)"; }

# previous_controller_tools: the four controllers of the previous Flux release (versions.json
# "previous"), as tool names NAME@VERSION: their binaries and stores sit beside the pinned ones.
previous_controller_tools() {
  local c v
  for c in source-controller kustomize-controller helm-controller notification-controller; do
    v="$(json_get "$ROOT/components/flux/versions.json" 'j["previous"]["controllers"]["'"$c"'"]')" ||
      die "no previous.controllers.$c in components/flux/versions.json"
    echo "$c@$v"
  done
}

# previous_install_name: the cache file holding the previous release's install.yaml.
previous_install_name() { echo "flux-install-v$PREVIOUS_FLUX_VERSION.yaml"; }

kube_staging_version() { echo "v0.${KUBERNETES_VERSION#v1.}"; }

e2e_cache_dir() {
  local base="$E2E_BASE" key
  key="$(printf '%s\n' "recipe=$E2E_RECIPE" "go=$GO_VERSION" "etcd=$ETCD_VERSION" \
    "kubernetes=$KUBERNETES_VERSION" "source-controller=$SOURCE_CONTROLLER_VERSION" \
    "sops=$SOPS_VERSION" "age=$AGE_VERSION" \
    "kustomize-controller=$KUSTOMIZE_CONTROLLER_VERSION" "helm-controller=$HELM_CONTROLLER_VERSION" \
    "notification-controller=$NOTIFICATION_CONTROLLER_VERSION" \
    "go-containerregistry=$GO_CONTAINERREGISTRY_VERSION" "flux=$FLUX_VERSION" "pulumi=$PULUMI_VERSION" \
    "pulumi-pkg=$PULUMI_PKG_MODULE_VERSION" "pulumi-language-nodejs=$PULUMI_LANGUAGE_NODEJS_MODULE_VERSION" \
    "pulumi-kubernetes=$PULUMI_KUBERNETES_VERSION" "pulumi-kubernetes-module=$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION" |
    sha256sum | cut -c1-16)"
  echo "$base/$key"
}

# --- prerequisites ----------------------------------------------------------------------------

require_go() {
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then
      export PATH="/usr/local/go/bin:$PATH"
    else
      die "Go is not installed (need Go >= 1.26 on PATH or at /usr/local/go). The end-to-end tools are built from the Go module proxy; install Go and re-run."
    fi
  fi
  local v
  v="$(go env GOVERSION | sed 's/^go//')"
  case "$v" in
    1.2[6-9]* | 1.[3-9][0-9]* | [2-9].*) ;;
    *) die "Go $v is too old: the Flux controllers and Kubernetes 1.36 need Go >= 1.26." ;;
  esac
}

# check_proxy: one small archive downloaded into a throw-away module cache, so the proxy is really
# asked even when the shared cache already holds everything.
check_proxy() {
  local out dir rc
  dir="$(mktemp -d)"
  rc=0
  out="$(cd "$dir" && GOFLAGS='-modcacherw' GOMODCACHE="$dir/mod" timeout 300 go mod download "go.etcd.io/etcd/api/v3@$ETCD_VERSION" 2>&1)" || rc=$?
  rm -rf "$dir"
  [ "$rc" = 0 ] || die "the Go module proxy ($(go env GOPROXY)) did not serve go.etcd.io/etcd/api/v3@$ETCD_VERSION: $out
The end-to-end tools are built from it; fix GOPROXY (or the network) and re-run."
}

ensure_apt_tools() {
  local missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  { [ -x /usr/sbin/sshd ] && command -v ssh-keyscan >/dev/null 2>&1; } || missing+=(openssh-server openssh-client)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    local aptlog
    aptlog="$(mktemp)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$aptlog" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$aptlog" 2>&1 || {
      tail -n 20 "$aptlog" >&2
      die "apt-get install ${missing[*]} failed"
    }
    rm -f "$aptlog"
  else
    die "missing ${missing[*]}: install them (Debian: apt-get install -y ${missing[*]})"
  fi
}

# --- go.mod handling --------------------------------------------------------------------------

# modfile MODULE@VERSION: path of that module's go.mod in the module cache (downloads it).
modfile() {
  local f
  f="$(go mod download -json "$1" | json_stdin 'j.GoMod')" || {
    go mod download -json "$1" >&2 || true
    return 1
  }
  echo "$f"
}

# moddir MODULE@VERSION: the module's extracted source folder in the module cache.
moddir() { go mod download -json "$1" | json_stdin 'j.Dir'; }

json_stdin() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(4)};const v=('"$1"');if(v===undefined||v===null||v==="")process.exit(3);console.log(v)})'
}

go_directive() { awk '$1=="go" {print $2; exit}' "$1"; }

# required_version GOMOD MODULE: the version GOMOD requires MODULE at.
required_version() {
  go mod edit -json "$1" | json_stdin '(j.Require||[]).filter(r=>r.Path==="'"$2"'").map(r=>r.Version)[0]'
}

# replaces GOMOD: one line per replace directive: "OLD[@OLDVER] NEW [NEWVER]" (no NEWVER = local path).
replaces() {
  go mod edit -json "$1" | json_stdin '(j.Replace||[]).map(r=>[r.Old.Path+(r.Old.Version?"@"+r.Old.Version:""),r.New.Path,r.New.Version||""].join(" ").trim()).join("\n")||"#"' |
    grep -v '^#$' || true
}

# new_wrapper DIR GOVERSION: a fresh wrapper module (go.mod only) in DIR, and cd into it.
new_wrapper() {
  rm -rf "$1"
  mkdir -p "$1"
  printf 'module platform-e2e/%s\n\ngo %s\n' "$(basename "$1")" "$2" >"$1/go.mod"
  cd "$1" || return 1
}

# copy_published_replaces GOMOD: copy the upstream replace lines that point at published modules.
# A replacement the proxy refuses and that GO_FORK_FALLBACKS names ("fork@ver=module@ver") is
# dropped for the upstream release it names; the choice is printed and logged (see versions.env).
copy_published_replaces() {
  local old new ver fb fallback
  while read -r old new ver; do
    [ -n "$ver" ] || continue
    fallback=""
    for fb in ${GO_FORK_FALLBACKS:-}; do
      if [ "${fb%%=*}" = "$new@$ver" ]; then fallback="${fb#*=}"; fi
    done
    if [ -n "$fallback" ] && ! proxy_has "$new@$ver"; then
      echo "replace $old => $new $ver: the proxy refuses that archive; using $fallback instead"
      go mod edit -require="$fallback"
      continue
    fi
    echo "replace $old => $new $ver"
    go mod edit -replace="$old=$new@$ver"
  done < <(replaces "$1")
}

# apply_substitutes: version-specific replaces for module versions the proxy does not serve
# (GO_SUBSTITUTES in versions.env: "module@wanted=available ..."). Harmless when not in the graph.
apply_substitutes() {
  local sub mod want have
  for sub in ${GO_SUBSTITUTES:-}; do
    mod="${sub%%@*}"
    want="${sub#*@}"
    want="${want%%=*}"
    have="${sub#*=}"
    echo "substitute $mod $want => $have"
    go mod edit -replace="$mod@$want=$mod@$have"
  done
}

# --- builders (each runs in a subshell with its output in the tool's log) ----------------------

build_etcd() {
  local mod=go.etcd.io/etcd/server/v3 gomod old new ver
  gomod="$(modfile "$mod@$ETCD_VERSION")"
  new_wrapper "$E2E_BASE/src/etcd" "$(go_directive "$gomod")"
  go mod edit -require="$mod@$ETCD_VERSION"
  # ../api, ../client/v3, ... are the sibling modules of the same release.
  while read -r old new ver; do
    [ -z "$ver" ] || continue
    case "$new" in ../*) go mod edit -require="$old@$ETCD_VERSION" ;; esac
  done < <(replaces "$gomod")
  copy_published_replaces "$gomod"
  apply_substitutes
  cat go.mod
  nice -n 19 go build -trimpath -ldflags "-s -w" -o "$OUT" "$mod"
}

build_kube() {
  local tool="$1" mod=k8s.io/kubernetes gomod old new ver staging major minor
  staging="$(kube_staging_version)"
  gomod="$(modfile "$mod@$KUBERNETES_VERSION")"
  new_wrapper "$E2E_BASE/src/kubernetes" "$(go_directive "$gomod")"
  go mod edit -require="$mod@$KUBERNETES_VERSION"
  while read -r old new ver; do
    [ -z "$ver" ] || continue
    case "$new" in ./staging/src/*) go mod edit -replace="$old=$old@$staging" ;; esac
  done < <(replaces "$gomod")
  copy_published_replaces "$gomod"
  apply_substitutes
  cat go.mod
  major="${KUBERNETES_VERSION#v}"
  major="${major%%.*}"
  minor="${KUBERNETES_VERSION#v*.}"
  minor="${minor%%.*}"
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  nice -n 19 go build -trimpath -ldflags "$ld" -o "$OUT" "$mod/cmd/$tool"
}

# flux_controller_version TOOL: the pinned version, or VERSION of a previous-release NAME@VERSION.
flux_controller_version() {
  case "$1" in
    *@*) echo "${1#*@}" ;;
    source-controller) echo "$SOURCE_CONTROLLER_VERSION" ;;
    kustomize-controller) echo "$KUSTOMIZE_CONTROLLER_VERSION" ;;
    helm-controller) echo "$HELM_CONTROLLER_VERSION" ;;
    notification-controller) echo "$NOTIFICATION_CONTROLLER_VERSION" ;;
  esac
}

build_flux_controller() {
  local tool="$1" ver mod gomod old new v
  ver="$(flux_controller_version "$tool")"
  mod="github.com/fluxcd/${tool%%@*}"
  gomod="$(modfile "$mod@$ver")"
  # A previous release's NAME@VERSION builds in its own folder (NAME-VERSION: '@' is no module path).
  new_wrapper "$E2E_BASE/src/${tool/@/-}" "$(go_directive "$gomod")"
  go mod edit -require="$mod@$ver"
  # ./api is the controller's API module, published at the version the controller requires.
  while read -r old new v; do
    [ -z "$v" ] || continue
    go mod edit -require="$old@$(required_version "$gomod" "$old")"
  done < <(replaces "$gomod")
  copy_published_replaces "$gomod"
  apply_substitutes
  cat go.mod
  nice -n 19 go build -trimpath -ldflags "-s -w" -o "$OUT" "$mod"
}

# go_install_tool MODULE/PATH@VERSION: a module without replace directives, built as published.
go_install_tool() {
  local gobin
  gobin="$(mktemp -d)"
  GOBIN="$gobin" nice -n 19 go install -trimpath -ldflags "-s -w" "$1"
  mv -f "$gobin"/* "$OUT"
  rm -rf "$gobin"
}
build_sops() { go_install_tool "github.com/getsops/sops/v3/cmd/sops@$SOPS_VERSION"; }
build_age_keygen() { go_install_tool "filippo.io/age/cmd/age-keygen@$AGE_VERSION"; }
# The scenario's OCI registry (in memory, plain http on loopback) and the client that pushes the
# fleet artifact to it: one module, two commands.
build_registry() { go_install_tool "github.com/google/go-containerregistry/cmd/registry@$GO_CONTAINERREGISTRY_VERSION"; }
build_crane() { go_install_tool "github.com/google/go-containerregistry/cmd/crane@$GO_CONTAINERREGISTRY_VERSION"; }

copy_flux_crds() {
  local tool ver dir
  for tool in source-controller kustomize-controller helm-controller notification-controller; do
    ver="$(flux_controller_version "$tool")"
    dir="$(moddir "github.com/fluxcd/$tool@$ver")" || return 1
    cp -f "$dir"/config/crd/bases/*.yaml "$CACHE/crds/"
    chmod u+w "$CACHE"/crds/*.yaml
  done
}

# flux_offline_manifests WORK [previous]: flux2's manifests/ folder (at the pinned Flux, or at the
# previous release with "previous") copied into WORK, each controller base's two release-asset URLs
# replaced by kustomize builds of that controller's own config/crd and config/manager at the version
# components/flux/versions.json pins ("controllers", or "previous"."controllers"): what Flux's
# release builds its install.yaml and the flux CLI's embedded manifests from, offline.
flux_offline_manifests() {
  local work="$1" kz flux2 base c ver major mod dir
  local FLUX_VERSION="$FLUX_VERSION" at='j'
  if [ "${2:-}" = previous ]; then
    FLUX_VERSION="$PREVIOUS_FLUX_VERSION"
    at='j["previous"]'
  fi
  kz="$(bash "$ROOT/scripts/tools/kustomize.sh")" || return 1
  flux2="$(moddir "github.com/fluxcd/flux2/v2@v$FLUX_VERSION")" || return 1
  cp -r "$flux2/manifests" "$work/"
  chmod -R u+w "$work"
  for base in "$work"/manifests/bases/*/; do
    c="$(basename "$base")"
    ver="$(json_get "$ROOT/components/flux/versions.json" "$at"'["controllers"]["'"$c"'"]')" ||
      die "no ${at#j}controllers.$c in components/flux/versions.json (flux2 v$FLUX_VERSION installs it)"
    major="${ver#v}"
    major="${major%%.*}"
    mod="github.com/fluxcd/$c"
    if [ "$major" -ge 2 ]; then mod="$mod/v$major"; fi
    dir="$(GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}$mod" moddir "$mod@$ver")" || return 1
    "$kz" build "$dir/config/crd" >"$base/crds.yaml"
    "$kz" build "$dir/config/manager" >"$base/deployment.yaml"
    grep -q "releases/download/$ver/$c.crds.yaml" "$base/kustomization.yaml" ||
      die "flux2 v$FLUX_VERSION's base $c does not name $c $ver's release assets: versions.json and Flux disagree"
    sed -i -e "s#https://github.com/fluxcd/$c/releases/download/$ver/$c.crds.yaml#crds.yaml#" \
      -e "s#https://github.com/fluxcd/$c/releases/download/$ver/$c.deployment.yaml#deployment.yaml#" \
      "$base/kustomization.yaml"
  done
}

# build_flux_install OUT [previous]: Flux's install.yaml as the release builds it (flux2's
# manifests/install: every controller's CRDs and Deployment, Flux's RBAC, network policies, labels and
# images), offline; of the previous release with "previous".
build_flux_install() {
  local out="$1" kz work
  kz="$(bash "$ROOT/scripts/tools/kustomize.sh")" || return 1
  work="$(mktemp -d)"
  flux_offline_manifests "$work" "${2:-}"
  "$kz" build "$work/manifests/install" >"$out.tmp"
  mv -f "$out.tmp" "$out"
  rm -rf "$work"
}

# build_flux_cli: the official flux CLI at the pinned Flux, the independent oracle of the e2e and of
# test:flux-oracle. Its embedded manifests (cmd/flux/manifests, not in the module archive) are made
# by Flux's own manifests/scripts/bundle.sh, with kustomize, from the offline manifests above.
build_flux_cli() {
  local kz src work kzdir
  kz="$(bash "$ROOT/scripts/tools/kustomize.sh")" || return 1
  src="$E2E_BASE/src/flux-cli"
  rm -rf "$src"
  mkdir -p "$src"
  cp -r "$(moddir "github.com/fluxcd/flux2/v2@v$FLUX_VERSION")/." "$src/"
  chmod -R u+w "$src"
  work="$(mktemp -d)"
  flux_offline_manifests "$work"
  # bundle.sh runs `kustomize` from PATH.
  kzdir="$(mktemp -d)"
  ln -s "$kz" "$kzdir/kustomize"
  PATH="$kzdir:$PATH" bash "$src/manifests/scripts/bundle.sh" "$work/manifests" "$src/cmd/flux/manifests"
  rm -rf "$work" "$kzdir"
  cd "$src" || return 1
  apply_substitutes
  nice -n 19 go build -trimpath -ldflags "-s -w -X main.VERSION=$FLUX_VERSION" -o "$OUT" ./cmd/flux
}

# --- the Flux Operator ------------------------------------------------------------------------

# build_flux_operator: the operator binary as its Dockerfile builds it (cmd/operator, FIPS 140-3 mode
# on: the operator refuses to start without it), from a copy of the module (its web UI's dist folder,
# built with npm upstream, is not in the module archive: a placeholder page is embedded). Beside the
# binary, in its store folder: data/, the image's /data (config/data: the Flux manifests and image
# digests of every Flux version this operator installs, what it installs from without a
# distribution.artifact), and flux-operator-<version>.tgz, a Helm chart of the operator's own
# config/default (CRDs, RBAC, ServiceAccount, Deployment, Service; not the Namespace) with the image
# as a value (image.repository, image.tag), what the e2e serves from its registry as an air-gapped
# site serves its mirror of the published chart.
build_flux_operator() {
  local mod=github.com/controlplaneio-fluxcd/flux-operator dir src kz store chart sub want have ver
  dir="$(moddir "$mod@$FLUX_OPERATOR_VERSION")" || return 1
  src="$E2E_BASE/src/flux-operator"
  rm -rf "$src"
  mkdir -p "$src"
  cp -R "$dir/." "$src/"
  chmod -R u+w "$src"
  mkdir -p "$src/web/dist"
  printf '<!doctype html><title>flux-operator</title><p>web UI not built (platform e2e)</p>\n' >"$src/web/dist/index.html"
  cd "$src" || return 1
  for sub in ${FLUX_OPERATOR_SUBSTITUTES:-}; do
    want="${sub%%=*}"
    have="${sub#*=}"
    echo "substitute $want => ${want%%@*}@$have"
    go mod edit -replace="$want=${want%%@*}@$have"
  done
  GOFIPS140=latest nice -n 19 go build -trimpath -ldflags "-s -w -X main.VERSION=$FLUX_OPERATOR_VERSION" \
    -o "$OUT" ./cmd/operator
  store="$(dirname "$OUT")"
  rm -rf "$store/data"
  cp -R "$src/config/data" "$store/data"
  ver="${FLUX_OPERATOR_VERSION#v}"
  kz="$(bash "$ROOT/scripts/tools/kustomize.sh")" || return 1
  chart="$(mktemp -d)"
  mkdir -p "$chart/flux-operator/templates"
  printf 'apiVersion: v2\nname: flux-operator\ndescription: Flux Operator %s (made by the platform e2e from its config/default)\ntype: application\nversion: %s\nappVersion: %s\n' \
    "$FLUX_OPERATOR_VERSION" "$ver" "$FLUX_OPERATOR_VERSION" >"$chart/flux-operator/Chart.yaml"
  printf 'image:\n  repository: ghcr.io/controlplaneio-fluxcd/flux-operator\n  tag: %s\n' "$FLUX_OPERATOR_VERSION" \
    >"$chart/flux-operator/values.yaml"
  "$kz" build "$src/config/default" >"$chart/all.yaml"
  # Helm templates its files: text that looks like a template action is refused rather than escaped.
  if grep -q '{{' "$chart/all.yaml"; then die "flux-operator config/default contains '{{': cannot be a chart template as is"; fi
  grep -q "image: ghcr.io/controlplaneio-fluxcd/flux-operator:$FLUX_OPERATOR_VERSION\$" "$chart/all.yaml" ||
    die "flux-operator config/default does not name image ghcr.io/controlplaneio-fluxcd/flux-operator:$FLUX_OPERATOR_VERSION"
  # Every object but the Namespace (the program owns flux-system), the image from the values.
  awk 'BEGIN { RS = "\n---\n"; ORS = "" } !/(^|\n)kind: Namespace\n/ { print (n++ ? "\n---\n" : "") $0 }' "$chart/all.yaml" |
    sed "s#image: ghcr.io/controlplaneio-fluxcd/flux-operator:$FLUX_OPERATOR_VERSION\$#image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"#" \
      >"$chart/flux-operator/templates/flux-operator.yaml"
  echo >>"$chart/flux-operator/templates/flux-operator.yaml"
  tar -C "$chart" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$store/flux-operator-$ver.tgz" flux-operator
  rm -rf "$chart"
  tar -tzf "$store/flux-operator-$ver.tgz"
}

# --- Pulumi -----------------------------------------------------------------------------------

# proxy_has MODULE@VERSION: whether the module proxy serves that version's archive (what a build
# needs). `go list -m` would only ask for the listing, which the proxy can answer for a version whose
# archive it refuses. The archive lands in the module cache, so the build that follows reuses it.
proxy_has() {
  local dir rc
  dir="$(mktemp -d)"
  (cd "$dir" && GOFLAGS='' timeout 600 go mod download "$1") >/dev/null 2>&1
  rc=$?
  rm -rf "$dir"
  return "$rc"
}

# newest_served MODULE MIN: the newest release of MODULE, not older than MIN (vX.Y.Z), whose archive
# the proxy serves; prints nothing when there is none. Releases only (no pre-releases).
newest_served() {
  local mod="$1" min="$2" v
  while read -r v; do
    [ -n "$v" ] || continue
    if proxy_has "$mod@$v"; then
      echo "$v"
      return 0
    fi
    echo "note: the proxy lists $mod@$v but refuses its archive" >&2
  done < <(GOFLAGS='' timeout 120 go list -m -versions "$mod" 2>/dev/null | tr ' ' '\n' | tail -n +2 |
    grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V -r | awk -v min="$min" '
      function key(v,  a) { sub(/^v/, "", v); split(v, a, "."); return sprintf("%06d%06d%06d", a[1], a[2], a[3]) }
      key($0) >= key(min)')
  return 1
}

log_note() { PULUMI_NOTES+=("$*"); }

resolve_pulumi_module_versions() {
  PULUMI_SDK_MODULE_VERSION="v$PULUMI_VERSION"
  PULUMI_PKG_MODULE_VERSION="v$PULUMI_VERSION"
  PULUMI_NOTES=()
  if [ "${E2E_OFFLINE_RESOLVE:-0}" = 1 ]; then
    # --check/--list without the network: the choice recorded by the last build.
    local chosen="$E2E_BASE/pulumi-pkg-chosen"
    if [ -f "$chosen" ] && [ "$(cut -d' ' -f1 "$chosen")" = "$PULUMI_VERSION" ]; then
      PULUMI_PKG_MODULE_VERSION="$(cut -d' ' -f2 "$chosen")"
      PULUMI_SDK_MODULE_VERSION="$PULUMI_PKG_MODULE_VERSION"
    fi
  elif ! proxy_has "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION"; then
    # The CLI may be newer than the SDK (that is how users run Pulumi), never older.
    local newer
    newer="$(newest_served github.com/pulumi/pulumi/pkg/v3 "v$PULUMI_VERSION")" ||
      die "the Go module proxy serves no archive of github.com/pulumi/pulumi/pkg/v3 at v$PULUMI_VERSION or newer (the locked @pulumi/pulumi): the Pulumi CLI cannot be built; see 'go mod download github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION'"
    PULUMI_PKG_MODULE_VERSION="$newer"
    PULUMI_SDK_MODULE_VERSION="$newer"
    log_note "the proxy refuses the archive of github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION (the locked @pulumi/pulumi): the CLI is built from $newer, the newest release it serves that is not older"
    mkdir -p "$E2E_BASE" && echo "$PULUMI_VERSION $newer" >"$E2E_BASE/pulumi-pkg-chosen"
  fi
  [ "$PULUMI_VERSION" = "$PULUMI_LANGUAGE_NODEJS_FOR" ] ||
    die "package-lock.json has @pulumi/pulumi $PULUMI_VERSION but scripts/e2e/versions.env pins the language host for $PULUMI_LANGUAGE_NODEJS_FOR: set PULUMI_LANGUAGE_NODEJS_MODULE to the pseudo-version of tag v$PULUMI_VERSION (or the newest the proxy serves), PULUMI_LANGUAGE_NODEJS_DEPS and PULUMI_LANGUAGE_NODEJS_FOR=$PULUMI_VERSION"
  [ "$PULUMI_KUBERNETES_VERSION" = "$PULUMI_KUBERNETES_PROVIDER_FOR" ] ||
    die "package-lock.json has @pulumi/kubernetes $PULUMI_KUBERNETES_VERSION but scripts/e2e/versions.env pins the provider for $PULUMI_KUBERNETES_PROVIDER_FOR: set PULUMI_KUBERNETES_PROVIDER_MODULE to the pseudo-version of tag v$PULUMI_KUBERNETES_VERSION (or the newest the proxy serves), PULUMI_KUBERNETES_PROVIDER_REPORTS and PULUMI_KUBERNETES_PROVIDER_FOR=$PULUMI_KUBERNETES_VERSION"
  PULUMI_LANGUAGE_NODEJS_MODULE_VERSION="$PULUMI_LANGUAGE_NODEJS_MODULE"
  PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION="$PULUMI_KUBERNETES_PROVIDER_MODULE"
}

pulumi_version_ldflag() { echo "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$1"; }

build_pulumi_cli() {
  local pkg=github.com/pulumi/pulumi/pkg/v3 sdk=github.com/pulumi/pulumi/sdk/v3 gomod
  gomod="$(modfile "$pkg@$PULUMI_PKG_MODULE_VERSION")"
  new_wrapper "$E2E_BASE/src/pulumi" "$(go_directive "$gomod")"
  go mod edit -require="$pkg@$PULUMI_PKG_MODULE_VERSION" -require="$sdk@$PULUMI_SDK_MODULE_VERSION"
  copy_published_replaces "$gomod"
  apply_substitutes
  cat go.mod
  nice -n 19 go build -trimpath -ldflags "-s -w $(pulumi_version_ldflag "$PULUMI_PKG_MODULE_VERSION")" \
    -o "$OUT" "$pkg/cmd/pulumi"
}

build_pulumi_language_nodejs() {
  local mod=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 gomod
  gomod="$(modfile "$mod@$PULUMI_LANGUAGE_NODEJS_MODULE_VERSION")"
  new_wrapper "$E2E_BASE/src/pulumi-language-nodejs" "$(go_directive "$gomod")"
  go mod edit -require="$mod@$PULUMI_LANGUAGE_NODEJS_MODULE_VERSION" \
    -require="github.com/pulumi/pulumi/pkg/v3@$PULUMI_LANGUAGE_NODEJS_DEPS" \
    -require="github.com/pulumi/pulumi/sdk/v3@$PULUMI_LANGUAGE_NODEJS_DEPS"
  copy_published_replaces "$gomod"
  apply_substitutes
  cat go.mod
  nice -n 19 go build -trimpath -ldflags "-s -w $(pulumi_version_ldflag "$PULUMI_LANGUAGE_NODEJS_DEPS")" \
    -o "$OUT" "$mod"
}

# The provider embeds schema-embed.json and terraform-mapping-embed.json, which upstream generates
# (go generate) before building: copy the module out of the read-only module cache, generate them,
# then build inside the copy with the published sdk/v4 in place of its ../sdk replace.
build_pulumi_kubernetes() {
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4 dir gomod src old new ver sdkver
  dir="$(moddir "$mod@$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION")"
  src="$E2E_BASE/src/pulumi-kubernetes"
  rm -rf "$src"
  mkdir -p "$src"
  cp -R "$dir/." "$src/"
  chmod -R u+w "$src"
  cd "$src" || return 1
  gomod="$src/go.mod"
  while read -r old new ver; do
    [ -z "$ver" ] || continue
    sdkver="$(required_version "$gomod" "$old")"
    echo "replace $old => $new  becomes  $old $sdkver (published)"
    go mod edit -dropreplace="$old"
  done < <(replaces "$gomod")
  apply_substitutes
  sed -n '1,/^)/p' go.mod
  cd cmd/pulumi-resource-kubernetes || return 1
  VERSION="$PULUMI_KUBERNETES_PROVIDER_REPORTS" nice -n 19 go run ./generate.go
  ls -l schema-embed.json terraform-mapping-embed.json
  cd "$src" || return 1
  nice -n 19 go build -trimpath \
    -ldflags "-s -w -X $mod/pkg/version.Version=$PULUMI_KUBERNETES_PROVIDER_REPORTS" \
    -o "$OUT" "$mod/cmd/pulumi-resource-kubernetes"
}
