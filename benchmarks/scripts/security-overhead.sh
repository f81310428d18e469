#!/usr/bin/env bash
# Measures what TLS and client authentication cost on warm requests, in ONE run on loopback, side by
# side with nginx serving the same blob file:
#   - warm GET of a LAYER_MIB MiB blob with curl (median of ROUNDS), over plain HTTP/1.1, TLS
#     HTTP/1.1 and TLS HTTP/2: cache-proxy against nginx (sendfile on, the same file, same
#     certificate)
#   - requests/s of a warm small blob (the image config) with wrk: auth.mode anonymous, basic (an
#     htpasswd user; the bcrypt check is cached) and token (a bearer JWT verified on every request)
# Needs: docker-registry skopeo nginx wrk curl openssl python3, a JDK >= 21.
# Usage: benchmarks/scripts/security-overhead.sh   (LAYER_MIB=256 ROUNDS=5 DURATION=10s CONNECTIONS=8)
set -euo pipefail

LAYER_MIB=${LAYER_MIB:-256}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../.ci/find-jdk.sh
. "$root/.ci/find-jdk.sh"
find_jdk
# shellcheck source=lib.sh
. "$root/benchmarks/scripts/lib.sh"
require_tools "docker-registry skopeo nginx-light wrk curl openssl python3" docker-registry skopeo nginx wrk curl openssl python3
jar=$(proxy_jar)

begin_work sec

start_registry
push_image sec
big_layer=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])' <<<"$raw")

# A private CA and a certificate for 127.0.0.1, shared by cache-proxy and nginx.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" \
  -out "$work/ca.crt" -subj "/CN=bench CA" -days 2 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/tls.key" 2>/dev/null
openssl req -new -key "$work/tls.key" -out "$work/tls.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/san.ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -extfile "$work/san.ext" -out "$work/tls.crt" 2>/dev/null

# Users for basic and token mode, made with the jar's own command.
printf 'bench-pass\n' | java -jar "$jar" users add bench --htpasswd "$work/htpasswd" --password-stdin >/dev/null 2>&1

start() { # start NAME EXTRA_YAML -> sets port_NAME
  local name=$1 port
  port=$(free_port)
  cat >"$work/$name.yml" <<YML
rules:
  - name: up
    target: "up/*"
    source: "http://127.0.0.1:$reg_port/*"
    tagFreshness: 1h
log:
  accessLog: false
$2
YML
  java -Xmx512m -jar "$jar" --config "$work/$name.yml" --port "$port" --data-dir "$work/data-$name" \
    --admin-port 0 --bind-address 127.0.0.1 >"$work/$name.log" 2>&1 &
  pids+=($!)
  printf -v "port_$name" '%s' "$port"
}
auth_yaml() {
  cat <<YML
auth:
  mode: $1
  htpasswd: $work/htpasswd
  scopeMaps: {all: {"*": [pull]}}
  users: {bench: [all]}
YML
}
start plain ""
start tls "tls: {certificate: $work/tls.crt, key: $work/tls.key}"
start basic "$(auth_yaml basic)"
start token "$(auth_yaml token)"
# shellcheck disable=SC2154
wait_http "http://127.0.0.1:$port_plain/v2/"
for p in "$port_basic" "$port_token"; do
  for _ in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/v2/") == 401 ]] && break
    sleep 0.1
  done
done
for _ in $(seq 1 300); do
  curl -sf --cacert "$work/ca.crt" -o /dev/null "https://127.0.0.1:$port_tls/v2/" && break
  sleep 0.1
done

# nginx: the same blob file, plain and TLS (HTTP/2 offered), sendfile on.
mkdir -p "$work/www/blob"
hex=${big_layer#sha256:}
ln "$work/registry/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data" "$work/www/blob/big"
ngx_port=$(free_port)
ngx_tls=$(free_port)
# nginx's workers must be able to read the files (in a mode-0700 temp folder of this user).
nginx_user=""
[[ $(id -u) -eq 0 ]] && nginx_user="user root root;"
cat >"$work/nginx.conf" <<NGX
$nginx_user
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/ngx-tmp;
  server {
    listen 127.0.0.1:$ngx_port;
    listen 127.0.0.1:$ngx_tls ssl http2;
    ssl_certificate $work/tls.crt;
    ssl_certificate_key $work/tls.key;
    root $work/www;
  }
}
NGX
nginx -c "$work/nginx.conf" &
pids+=($!)
wait_http "http://127.0.0.1:$ngx_port/blob/big"

path_big="/v2/up/bench/sec/blobs/$big_layer"
path_small="/v2/up/bench/sec/blobs/$config_digest"
auth_basic="Authorization: Basic $(printf 'bench:bench-pass' | base64)"
jwt=$(curl -fsS -u bench:bench-pass \
  "http://127.0.0.1:$port_token/_cache-proxy/token?service=cache-proxy&scope=repository:up/bench/sec:pull" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth_bearer="Authorization: Bearer $jwt"
# Fill the caches, then warm the JITs.
curl -fsS -o /dev/null "http://127.0.0.1:$port_plain$path_big"
curl -fsS -o /dev/null --cacert "$work/ca.crt" "https://127.0.0.1:$port_tls$path_big"
curl -fsS -o /dev/null -H "$auth_basic" "http://127.0.0.1:$port_basic$path_small"
curl -fsS -o /dev/null -H "$auth_bearer" "http://127.0.0.1:$port_token$path_small"
curl -fsS -o /dev/null "http://127.0.0.1:$port_plain$path_small"

speed() { # speed URL [curl options...] -> MB/s of one GET
  local url=$1; shift
  curl -fsS -o /dev/null -w '%{speed_download}' "$@" "$url" | python3 -c 'import sys; print(f"{float(sys.stdin.read())/1e6:.0f}")'
}
declare -A mbs
for r in $(seq 1 "$ROUNDS"); do
  mbs[cp-plain]+=" $(speed "http://127.0.0.1:$port_plain$path_big")"
  mbs[ngx-plain]+=" $(speed "http://127.0.0.1:$ngx_port/blob/big")"
  mbs[cp-tls1]+=" $(speed "https://127.0.0.1:$port_tls$path_big" --http1.1 --cacert "$work/ca.crt")"
  mbs[ngx-tls1]+=" $(speed "https://127.0.0.1:$ngx_tls/blob/big" --http1.1 --cacert "$work/ca.crt")"
  mbs[cp-h2]+=" $(speed "https://127.0.0.1:$port_tls$path_big" --http2 --cacert "$work/ca.crt")"
  mbs[ngx-h2]+=" $(speed "https://127.0.0.1:$ngx_tls/blob/big" --http2 --cacert "$work/ca.crt")"
done
h2_version=$(curl -fsS -o /dev/null -w '%{http_version}' --http2 --cacert "$work/ca.crt" "https://127.0.0.1:$port_tls/v2/")

rate() { wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
for p in "$port_plain" "$port_basic" "$port_token"; do # warm the JITs
  wrk -t 2 -c "$CONNECTIONS" -d 3s -H "$auth_basic" "http://127.0.0.1:$p$path_small" >/dev/null
done
wrk -t 2 -c "$CONNECTIONS" -d 3s -H "$auth_bearer" "http://127.0.0.1:$port_token$path_small" >/dev/null
declare -A rps
for r in $(seq 1 "$ROUNDS"); do
  rps[anonymous]+=" $(rate "http://127.0.0.1:$port_plain$path_small")"
  rps[basic]+=" $(rate -H "$auth_basic" "http://127.0.0.1:$port_basic$path_small")"
  rps[token]+=" $(rate -H "$auth_bearer" "http://127.0.0.1:$port_token$path_small")"
done

echo "warm GET of a $LAYER_MIB MiB blob, MB/s, median of $ROUNDS (all rounds in brackets); HTTP/2 negotiated: $h2_version"
printf '%-16s %14s %14s %8s\n' "transport" "cache-proxy" "nginx" "ratio"
for t in plain tls1 h2; do
  # shellcheck disable=SC2086
  a=$(median ${mbs[cp-$t]}); b=$(median ${mbs[ngx-$t]})
  label=$t; [[ $t == plain ]] && label="HTTP/1.1"; [[ $t == tls1 ]] && label="TLS HTTP/1.1"; [[ $t == h2 ]] && label="TLS HTTP/2"
  printf '%-16s %14s %14s %8s\n' "$label" "$a" "$b" "$(python3 -c "print(f'{$a/$b:.2f}x')")"
  echo "    cache-proxy:[${mbs[cp-$t]} ]  nginx:[${mbs[ngx-$t]} ]"
done
echo
echo "warm small-blob GET (config), requests/s, median of $ROUNDS rounds of $DURATION, $CONNECTIONS connections"
# shellcheck disable=SC2086
base=$(median ${rps[anonymous]})
for m in anonymous basic token; do
  # shellcheck disable=SC2086
  v=$(median ${rps[$m]})
  printf '%-10s %12s %8s   [%s ]\n' "$m" "$v" "$(python3 -c "print(f'{$v/$base:.2f}x')")" "${rps[$m]}"
done
