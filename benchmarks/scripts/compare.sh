#!/usr/bin/env bash
# Measures cache-proxy against references in ONE run on loopback (these machines are noisy;
# compare the ratios, not the absolute numbers):
#   1. cold pull of an image (skopeo) through the proxy vs directly from the upstream registry,
#      and the warm pull through the proxy;
#   2. time to first byte of a cold large blob through the proxy vs from the upstream;
#   3. warm blob GET throughput of the proxy vs nginx serving the same file with sendfile (wrk).
# Needs: docker-registry skopeo nginx-light wrk curl python3 (apt-get install them), a JDK >= 21.
# Usage: benchmarks/scripts/compare.sh            (LAYER_MIB=200 ROUNDS=3 DURATION=10s by default;
#        CACHE_PROXY_JAR=path/to.jar measures another build)
set -euo pipefail

LAYER_MIB=${LAYER_MIB:-200}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../.ci/find-jdk.sh
. "$root/.ci/find-jdk.sh"
find_jdk
# shellcheck source=lib.sh
. "$root/benchmarks/scripts/lib.sh"
require_tools "docker-registry skopeo nginx-light wrk curl python3" docker-registry skopeo nginx wrk curl python3
jar=$(proxy_jar)

begin_work bench

echo "== upstream: docker-registry on loopback"
start_registry

echo "== images: $((ROUNDS + 1)) distinct images of one ${LAYER_MIB} MiB layer and one 4 MiB layer (random)"
# skopeo compresses uncompressed layers on push, so the digests are read back from the registry.
layer_digests() {
  skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$reg_port/bench/img$1:1" |
    python3 -c 'import json, sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'
}
for i in $(seq 0 "$ROUNDS"); do
  gen_image "$work/oci$i"
  skopeo copy -q --dest-tls-verify=false "oci:$work/oci$i:1" "docker://127.0.0.1:$reg_port/bench/img$i:1"
  rm -rf "$work/oci$i"
done

cat >"$work/proxy.yml" <<YML
rules:
  - name: up
    target: "up/*"
    source: "http://127.0.0.1:$reg_port/*"
YML
proxy_pid=""
proxy_port=""
start_proxy() {
  proxy_port=$(free_port)
  java -Xmx1g -jar "$jar" --config "$work/proxy.yml" --port "$proxy_port" --data-dir "$1" >>"$work/proxy.log" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  wait_http "http://127.0.0.1:$proxy_port/v2/"
}
stop_proxy() { kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; }
pull() { rm -rf "$2"; skopeo copy -q --src-tls-verify=false "docker://$1" "dir:$2"; }

# One long-running proxy, as in production: its JVM is warmed up by pulling image 0 first, then
# each round pulls a different image (cold for the proxy), then the same image again (warm).
start_proxy "$work/data"
pull "127.0.0.1:$proxy_port/up/bench/img0:1" "$work/pull-warmup"

echo "== 1. pulls (skopeo copy to dir:, $ROUNDS rounds, median)"
direct=(); cold=(); warm=()
for r in $(seq 1 "$ROUNDS"); do
  s=$(now); pull "127.0.0.1:$reg_port/bench/img$r:1" "$work/pull-direct"; direct+=("$(elapsed "$s" "$(now)")")
  s=$(now); pull "127.0.0.1:$proxy_port/up/bench/img$r:1" "$work/pull-cold"; cold+=("$(elapsed "$s" "$(now)")")
  s=$(now); pull "127.0.0.1:$proxy_port/up/bench/img$r:1" "$work/pull-warm"; warm+=("$(elapsed "$s" "$(now)")")
  diff -r "$work/pull-direct" "$work/pull-cold" >/dev/null || { echo "cold pull differs from direct pull" >&2; exit 1; }
  diff -r "$work/pull-direct" "$work/pull-warm" >/dev/null || { echo "warm pull differs from direct pull" >&2; exit 1; }
done
echo "direct from upstream : $(median "${direct[@]}") s   (${direct[*]})"
echo "through proxy, cold  : $(median "${cold[@]}") s   (${cold[*]})"
echo "through proxy, warm  : $(median "${warm[@]}") s   (${warm[*]})"

echo "== 2. time to first byte of a cold ${LAYER_MIB} MiB blob (curl; the proxy purges it between rounds)"
ttfb_up=(); ttfb_px=(); total_up=(); total_px=()
read -r big_digest small_digest <<<"$(layer_digests 1)"
hex_big=${big_digest#sha256:}
hex_small=${small_digest#sha256:}
for r in $(seq 1 "$ROUNDS"); do
  read -r t a < <(curl -fsS -o /dev/null -w '%{time_starttransfer} %{time_total}\n' "http://127.0.0.1:$reg_port/v2/bench/img1/blobs/$big_digest")
  ttfb_up+=("$t"); total_up+=("$a")
  rm -f "$work/data/blobs/sha256/${hex_big:0:2}/$hex_big"
  read -r t a < <(curl -fsS -o /dev/null -w '%{time_starttransfer} %{time_total}\n' "http://127.0.0.1:$proxy_port/v2/up/bench/img1/blobs/$big_digest")
  ttfb_px+=("$t"); total_px+=("$a")
done
echo "upstream direct      : ttfb $(median "${ttfb_up[@]}") s, total $(median "${total_up[@]}") s   (${ttfb_up[*]})"
echo "proxy (cold miss)    : ttfb $(median "${ttfb_px[@]}") s, total $(median "${total_px[@]}") s   (${ttfb_px[*]})"

echo "== 3. warm blob GET throughput (wrk, $DURATION each)"
for d in "$big_digest" "$small_digest"; do
  curl -fsS -o /dev/null "http://127.0.0.1:$proxy_port/v2/up/bench/img1/blobs/$d"
done
nginx_port=$(free_port)
mkdir -p "$work/nginx"
# nginx's workers must be able to read the cache's files (mode 0600, owned by this user).
nginx_user=""
[[ $(id -u) -eq 0 ]] && nginx_user="user root root;"
cat >"$work/nginx/nginx.conf" <<NGX
$nginx_user
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /big { default_type application/octet-stream; alias $work/data/blobs/sha256/${hex_big:0:2}/$hex_big; }
    location = /small { default_type application/octet-stream; alias $work/data/blobs/sha256/${hex_small:0:2}/$hex_small; }
  }
}
NGX
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_http "http://127.0.0.1:$nginx_port/small"
rate() { wrk -t "$1" -c "$2" -d "$DURATION" "$3" | awk '/Requests\/sec/ {r=$2} /Transfer\/sec/ {t=$2} END {print r " req/s, " t "/s"}'; }
for spec in "big 1 1" "big 2 8" "small 2 8" "small 2 64"; do
  read -r which threads conns <<<"$spec"
  digest=$big_digest; [[ $which == small ]] && digest=$small_digest
  echo "$which blob, $conns connection(s):"
  echo "  nginx sendfile : $(rate "$threads" "$conns" "http://127.0.0.1:$nginx_port/$which")"
  echo "  cache-proxy    : $(rate "$threads" "$conns" "http://127.0.0.1:$proxy_port/v2/up/bench/img1/blobs/$digest")"
done
stop_proxy
