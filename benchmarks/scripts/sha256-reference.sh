#!/usr/bin/env bash
# Measures SHA-256 throughput in ONE run: `sha256sum` (coreutils) on a random SIZE_MIB MiB file in
# the page cache, the reference for what this machine can hash, then the JMH HashingBenchmark on a
# blob of the same size: the bare MessageDigest over 64 KiB chunks, the store's BlobWriter (write to
# a temporary file and hash, then verify), and the whole commit (forced to disk and moved into
# place); and `openssl dgst -sha256` on the same file if openssl is installed. Prints the median MB/s of each side by side. The JMH temporary files go to the same work
# folder as the file, on the same file system. Needs python3 and a JDK >= 21.
# Usage: benchmarks/scripts/sha256-reference.sh   (SIZE_MIB=64 ROUNDS=5; QUICK=1 for a short run)
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-64}
ROUNDS=${ROUNDS:-5}
if [[ ${QUICK:-0} == 1 ]]; then
  jmh_time=(-wi 1 -i 2 -w 1s -r 1s)
else
  jmh_time=(-wi 3 -i 5 -w 2s -r 2s)
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../.ci/find-jdk.sh
. "$root/.ci/find-jdk.sh"
find_jdk jdk
jar=${CACHE_PROXY_BENCH_JAR:-$root/benchmarks/target/benchmarks.jar}
if [[ ! -f $jar ]]; then
  (cd "$root" && mvn -B -q -DskipTests -pl rules,cache-proxy-core,benchmarks -am package)
fi
for tool in sha256sum python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install coreutils python3" >&2; exit 2; }
done

work=$(mktemp -d /tmp/cache-proxy-sha256.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
# shellcheck source=lib.sh
. "$root/benchmarks/scripts/lib.sh"

head -c "$((SIZE_MIB << 20))" /dev/urandom >"$work/blob"
sha256sum "$work/blob" >/dev/null # into the page cache
rates=()
for _ in $(seq 1 "$ROUNDS"); do
  start=$(now)
  sha256sum "$work/blob" >/dev/null
  end=$(now)
  rates+=("$(python3 -c "import sys; print(f'{$((SIZE_MIB << 20)) / 1e6 / float(sys.argv[1]):.0f}')" "$(elapsed "$start" "$end")")")
done
sha256sum_rate=$(median "${rates[@]}")
# OpenSSL, when present, uses the CPU's SHA extensions; coreutils' sha256sum may not.
openssl_rate=""
if command -v openssl >/dev/null; then
  openssl_rates=()
  for _ in $(seq 1 "$ROUNDS"); do
    start=$(now)
    openssl dgst -sha256 "$work/blob" >/dev/null
    end=$(now)
    openssl_rates+=("$(python3 -c "import sys; print(f'{$((SIZE_MIB << 20)) / 1e6 / float(sys.argv[1]):.0f}')" "$(elapsed "$start" "$end")")")
  done
  openssl_rate=$(median "${openssl_rates[@]}")
fi

mkdir "$work/jmh-tmp"
java -jar "$jar" HashingBenchmark -p sizeMiB="$SIZE_MIB" -f 1 "${jmh_time[@]}" \
  -jvmArgsAppend "-Djava.io.tmpdir=$work/jmh-tmp" -rf json -rff "$work/jmh.json" >"$work/jmh.log" 2>&1 ||
  { cat "$work/jmh.log" >&2; exit 1; }

sha_ni=no
grep -qw sha_ni /proc/cpuinfo 2>/dev/null && sha_ni=yes
echo "SHA-256 of ${SIZE_MIB} MiB, MB/s (10^6 bytes/s); $(nproc) CPUs, SHA-NI: $sha_ni, $(java -version 2>&1 | head -n 1)"
python3 - "$work/jmh.json" "$sha256sum_rate" "${rates[*]}" "$openssl_rate" <<'PY'
import json, sys
results, reference, rounds = json.load(open(sys.argv[1])), float(sys.argv[2]), sys.argv[3]
openssl = sys.argv[4]
names = {
    "messageDigest": "MessageDigest, 64 KiB chunks (JMH)",
    "blobWriter": "BlobWriter: write + hash + verify (JMH)",
    "blobWriterCommit": "BlobWriter: ... + commit, fsync, rename (JMH)",
}
print(f"{'':46} {'MB/s':>8} {'vs sha256sum':>13}")
print(f"{'sha256sum, file in page cache (median)':46} {reference:8.0f} {'1.00x':>13}   rounds: {rounds}")
if openssl:
    print(f"{'openssl dgst -sha256, same file (median)':46} {float(openssl):8.0f} {float(openssl) / reference:12.2f}x")
for r in results:
    method = r["benchmark"].rsplit(".", 1)[1]
    m = r["secondaryMetrics"]["megabytes"]
    error = m["scoreError"]
    spread = f"± {error:.0f}" if isinstance(error, (int, float)) and error == error else ""
    print(f"{names.get(method, method):46} {m['score']:8.0f} {m['score'] / reference:12.2f}x   {spread}")
PY
