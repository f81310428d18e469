#!/usr/bin/env bash
# Measures what metrics and access logging cost on warm requests, in ONE run on loopback: four
# proxies over the same upstream and image (metrics and access log both on, metrics only, access
# log only, both off; metrics are on when the admin listener is), measured in turn with wrk
# (ROUNDS rounds each):
#   - GET of a small warm blob (the image config, a few hundred bytes: per-request cost dominates)
#   - GET of a warm 4 MiB layer
#   - GET of the manifest by digest
# Needs: docker-registry skopeo wrk curl python3, a JDK >= 21.
# Usage: benchmarks/scripts/observability-overhead.sh   (ROUNDS=3 DURATION=10s CONNECTIONS=8)
set -euo pipefail

LAYER_MIB=${LAYER_MIB:-1}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../.ci/find-jdk.sh
. "$root/.ci/find-jdk.sh"
find_jdk
# shellcheck source=lib.sh
. "$root/benchmarks/scripts/lib.sh"
require_tools "docker-registry skopeo wrk curl python3" docker-registry skopeo wrk curl python3
jar=$(proxy_jar)

begin_work obs

start_registry
push_image obs
small_layer=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][1]["digest"])' <<<"$raw")
manifest_digest="sha256:$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)"

start() { # start NAME ADMIN_PORT ACCESS_LOG -> sets port_NAME
  local name=$1 port
  port=$(free_port)
  cat >"$work/$name.yml" <<YML
rules:
  - name: up
    target: "up/*"
    source: "http://127.0.0.1:$reg_port/*"
    tagFreshness: 1h
admin:
  port: $2
log:
  accessLog: $3
YML
  java -Xmx512m -jar "$jar" --config "$work/$name.yml" --port "$port" --data-dir "$work/data-$name" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/v2/"
  printf -v "port_$name" '%s' "$port"
}
variants=(on metrics log off)
start on "$(free_port)" true
start metrics "$(free_port)" false
start log 0 true
start off 0 false
# shellcheck disable=SC2154
for p in "$port_on" "$port_metrics" "$port_log" "$port_off"; do # warm the caches and JITs
  for d in "$config_digest" "$small_layer"; do
    curl -fsS -o /dev/null "http://127.0.0.1:$p/v2/up/bench/obs/blobs/$d"
  done
  wrk -t 2 -c "$CONNECTIONS" -d 3s "http://127.0.0.1:$p/v2/up/bench/obs/blobs/$config_digest" >/dev/null
done

rate() { wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
declare -A results
for r in $(seq 1 "$ROUNDS"); do
  for which in "${variants[@]}"; do
    p=port_$which
    results[$which-config]+=" $(rate "http://127.0.0.1:${!p}/v2/up/bench/obs/blobs/$config_digest")"
    results[$which-layer]+=" $(rate "http://127.0.0.1:${!p}/v2/up/bench/obs/blobs/$small_layer")"
    results[$which-manifest]+=" $(rate -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:${!p}/v2/up/bench/obs/manifests/$manifest_digest")"
  done
done
echo "requests/s, median of $ROUNDS rounds of $DURATION, $CONNECTIONS connections (all rounds in brackets)"
printf '%-28s %12s %12s %12s %12s\n' "request" "both on" "metrics only" "log only" "both off"
for k in config layer manifest; do
  label=$k; [[ $k == config ]] && label="blob GET (config, small)"; [[ $k == layer ]] && label="blob GET (4 MiB layer)"; [[ $k == manifest ]] && label="manifest GET by digest"
  row=()
  # shellcheck disable=SC2086
  for v in "${variants[@]}"; do row+=("$(median ${results[$v-$k]})"); done
  printf '%-28s %12s %12s %12s %12s\n' "$label" "${row[@]}"
  for v in "${variants[@]}"; do echo "    $v:[${results[$v-$k]} ]"; done
done
