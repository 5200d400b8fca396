#!/usr/bin/env bash
# Build the gateway image sovereign/gateway-haproxy:<haproxy version> (e.g. 2.6.12) without any
# image registry, and load it into the lab hosts' dockerd (every host in hosts.json, or the ones
# named with --hosts).
#   - haproxy: Debian's package (apt-get install when missing), with its shared libraries + loader
#   - busybox-static: apt-get download (cached; not installed on the machine)
#   - rootfs built FROM scratch with the legacy builder (e2e/lab/gateway-image/Dockerfile) on the
#     first host, saved to a cache tar, `docker load`ed on the others.
# Cached: a host is skipped when its image carries the label sovereign.lab.hash equal to the hash
# of the build context. Verification (on the first host: `haproxy -vv` shows Lua and the
# Prometheus exporter; a container answers HTTP on the host's address; removed) runs when anything
# was built/loaded, or with --verify. Prints the image name on the last line.
# Usage: build-gateway-image.sh [--verify] [--force] [--hosts sov-h7[,sov-h8]]
# Env:   SOVEREIGN_LAB_DIR, SOVEREIGN_CACHE_DIR (default ~/.cache/sovereign)
set -Eeuo pipefail
LAB_SCRIPT=gateway-image
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SRC/lib.sh"
trap 'printf "[gateway-image] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR

CACHE="${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}/gateway-image"
VERIFY=0; FORCE=0; ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --verify) VERIFY=1 ;; --force) FORCE=1 ;;
    --hosts) ONLY="${2:?--hosts needs a list, e.g. sov-h7,sov-h8}"; shift ;;
    *) lab_die "unknown argument $1 (use --verify, --force, --hosts LIST)" ;;
  esac
  shift
done
[[ -f "$LAB_DIR/hosts.json" ]] || lab_die "no $LAB_DIR/hosts.json: run e2e/lab/hosts-up.sh first"
filter='.[]'
if [[ -n "$ONLY" ]]; then filter=".[] | select(.name as \$n | \"$ONLY\" | split(\",\") | index(\$n))"; fi
mapfile -t NAMES < <(jq -r "$filter | .name" "$LAB_DIR/hosts.json")
mapfile -t SOCKS < <(jq -r "$filter | .dockerSocket" "$LAB_DIR/hosts.json")
mapfile -t ADDRS < <(jq -r "$filter | .address" "$LAB_DIR/hosts.json")
[[ ${#NAMES[@]} -ge 1 ]] || lab_die "no lab host matches '${ONLY}' in $LAB_DIR/hosts.json"
mkdir -p "$CACHE"
export DOCKER_BUILDKIT=0   # legacy builder: FROM scratch + COPY, no BuildKit/registry

# ---- inputs ----
if ! command -v haproxy >/dev/null 2>&1; then
  lab_log "apt-get install haproxy"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null || lab_die "apt-get install haproxy failed"
fi
HAPROXY_BIN=$(command -v haproxy)
VERSION=$("$HAPROXY_BIN" -v | sed -n 's/^HAProxy version \([0-9.]*\).*/\1/p')
[[ -n "$VERSION" ]] || lab_die "cannot read the haproxy version from '$HAPROXY_BIN -v'"
BUILD_OPTIONS=$("$HAPROXY_BIN" -vv)
[[ "$BUILD_OPTIONS" == *USE_LUA=1* ]] || lab_die "this haproxy is built without Lua"
[[ "$BUILD_OPTIONS" == *USE_PROMEX=1* ]] || lab_die "this haproxy is built without the Prometheus exporter"
IMAGE="sovereign/gateway-haproxy:$VERSION"
BB_DEB=$(ls "$CACHE"/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
if [[ -z "$BB_DEB" ]]; then
  lab_log "apt-get download busybox-static"
  (cd "$CACHE" && apt-get download busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  BB_DEB=$(ls "$CACHE"/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
  [[ -n "$BB_DEB" ]] || lab_die "apt-get download busybox-static failed (run apt-get update?)"
fi

# ---- build context ----
CTX="$CACHE/context"
rm -rf "$CTX"; mkdir -p "$CTX/rootfs"/{usr/sbin,bin,etc/ssl/certs,etc/haproxy/sovereign,tmp,root,run/haproxy,var/lib/haproxy,lib64}
R="$CTX/rootfs"
chmod 1777 "$R/tmp"; chmod 700 "$R/root"
install -m 755 "$HAPROXY_BIN" "$R/usr/sbin/haproxy"
while read -r lib; do
  [[ -f "$lib" ]] || continue
  mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
done < <(ldd "$HAPROXY_BIN" | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}')
[[ -f "$R/lib64/ld-linux-x86-64.so.2" ]] || lab_die "loader /lib64/ld-linux-x86-64.so.2 not found via ldd"
[[ -f /etc/ssl/certs/ca-certificates.crt ]] && cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/"
dpkg-deb --fsys-tarfile "$BB_DEB" | tar -x -C "$CACHE" ./bin/busybox
install -m 755 "$CACHE/bin/busybox" "$R/bin/busybox"
for app in sh wget nc cat ls ps echo grep sleep env id kill netstat base64 mkdir; do ln -sf busybox "$R/bin/$app"; done
printf 'root:x:0:0:root:/root:/bin/sh\nhaproxy:x:101:101:haproxy:/var/lib/haproxy:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nhaproxy:x:101:\nnogroup:x:65534:\n' >"$R/etc/group"
printf 'hosts: files dns\n' >"$R/etc/nsswitch.conf"
cp "$SRC/gateway-image/Dockerfile" "$CTX/Dockerfile"
HASH=$(lab_context_hash "$CTX")
TAR="$CACHE/gateway-haproxy-$VERSION-$HASH.tar"
lab_log "context hash $HASH"

lab_image_on_hosts "$IMAGE" "$HASH" "$CTX" "$TAR" "$FORCE" "$CACHE/gateway-haproxy-*.tar"

# ---- verify on the first host: Lua + exporter present, HTTP answered on the host's address ----
if [[ $LAB_IMAGE_CHANGED == 1 || $VERIFY == 1 ]]; then
  name=${NAMES[0]} sock=${SOCKS[0]} addr=${ADDRS[0]}
  D=(docker -H "unix://$sock")
  vv=$("${D[@]}" run --rm "$IMAGE" haproxy -vv 2>&1 || true)
  [[ "$vv" == *USE_LUA=1* && "$vv" == *USE_PROMEX=1* ]] || lab_die "haproxy -vv in the image lacks Lua or the exporter: ${vv:0:400}"
  "${D[@]}" rm -f sov-gateway-verify >/dev/null 2>&1 || true
  cfg='global
    user haproxy
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
frontend verify
    bind '"$addr"':18405
    http-request use-service prometheus-exporter if { path /metrics }
    http-request return status 200 content-type text/plain string ok'
  "${D[@]}" run -d --name sov-gateway-verify --network host "$IMAGE" sh -c "printf '%s\n' '$cfg' > /tmp/v.cfg && exec haproxy -db -f /tmp/v.cfg" >/dev/null
  ok=""
  for _ in $(seq 50); do
    ok=$(curl -s -m 2 "http://$addr:18405/metrics" || true)
    [[ "$ok" == *haproxy_process_* ]] && break
    sleep 0.2
  done
  logs=$("${D[@]}" logs --tail 20 sov-gateway-verify 2>&1 || true)
  "${D[@]}" rm -f sov-gateway-verify >/dev/null
  [[ "$ok" == *haproxy_process_* ]] || lab_die "no Prometheus metrics from http://$addr:18405/metrics; container logs: $logs"
  lab_log "verified on $name: Lua + Prometheus exporter built in; /metrics answered on $addr"
fi
lab_log "$IMAGE present on ${#NAMES[@]} host(s): ${NAMES[*]}"
echo "$IMAGE"
