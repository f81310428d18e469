# Shared by the benchmark scripts: sourced, not run (it only defines functions). Most expect $work
# (a temp dir), a pids array (processes the caller's cleanup kills) and, for gen_image, $LAYER_MIB.
# shellcheck shell=bash

# The server jar: $CACHE_PROXY_JAR, or the module's build output, built first if missing. Expects
# $root, the checkout.
proxy_jar() {
  local jar=${CACHE_PROXY_JAR:-$root/cache-proxy-server/target/cache-proxy-server.jar}
  if [[ ! -f $jar ]]; then
    (cd "$root" && mvn -B -q -Dmaven.test.skip=true -pl rules,cache-proxy-core,cache-proxy-server package) >&2
  fi
  echo "$jar"
}

# Exits with status 2, naming what to install, unless every tool is on the PATH:
# require_tools "APT PACKAGES" TOOL...
require_tools() {
  local packages=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install $packages" >&2; exit 2; }
  done
}

# A temp folder for one run: mktemp_work NAME prints /tmp/cache-proxy-NAME.<random>.
mktemp_work() { mktemp -d "/tmp/cache-proxy-$1.XXXXXX"; }

# Sets $work (mktemp_work NAME) and an empty $pids; on exit, kills every pid in $pids and deletes
# $work: begin_work NAME
begin_work() {
  work=$(mktemp_work "$1")
  pids=()
  trap end_work EXIT
}
end_work() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# Pushes a gen_image image to the registry of start_registry as bench/NAME:1 and sets $raw (its
# manifest) and $config_digest: push_image NAME
push_image() {
  gen_image "$work/oci"
  skopeo copy -q --dest-tls-verify=false "oci:$work/oci:1" "docker://127.0.0.1:$reg_port/bench/$1:1"
  rm -rf "$work/oci"
  raw=$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$reg_port/bench/$1:1")
  config_digest=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])' <<<"$raw")
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  local i
  for i in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; return 1
}
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }


# Starts docker-registry on a free loopback port with its storage under $work; sets reg_port.
start_registry() {
  reg_port=$(free_port)
  cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$reg_port}
YML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$reg_port/v2/"
}

# Writes an OCI layout at $1 with a random ${LAYER_MIB} MiB layer and a random 4 MiB layer.
gen_image() {
python3 - "$1" "$LAYER_MIB" <<'PY'
import hashlib, io, json, os, sys, tarfile
out, big = sys.argv[1], int(sys.argv[2])
blobs = os.path.join(out, "blobs", "sha256"); os.makedirs(blobs)
class Rand(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left, 1 << 20)
        b[:n] = os.urandom(n); self.left -= n; return n
def put(path_or_bytes):
    if isinstance(path_or_bytes, bytes):
        d = hashlib.sha256(path_or_bytes).hexdigest(); open(os.path.join(blobs, d), "wb").write(path_or_bytes); return d, len(path_or_bytes)
    h = hashlib.sha256()
    with open(path_or_bytes, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
    d = h.hexdigest(); os.rename(path_or_bytes, os.path.join(blobs, d)); return d, os.path.getsize(os.path.join(blobs, d))
layers = []
for i, mib in enumerate([big, 4]):
    tmp = os.path.join(out, f"layer{i}.tar")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo(f"data/file{i}.bin"); info.size = mib << 20; info.mode = 0o644
        t.addfile(info, io.BufferedReader(Rand(info.size)))
    d, n = put(tmp)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + d, "size": n})
config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}, "config": {}}).encode()
cd, cn = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": cn}, "layers": layers}).encode()
md, mn = put(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + md, "size": mn,
    "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
}
