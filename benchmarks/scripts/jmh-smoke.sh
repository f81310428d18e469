#!/usr/bin/env bash
# Runs every JMH benchmark once with minimal settings, so that none rots: one fork, no warmup, one
# 100 ms iteration, with the parameters that make setups heavy shrunk (10 rules, 20 images instead
# of 10,000, a 1 MiB blob, 2 clients of 4 KiB blobs). The numbers mean nothing; a benchmark that
# throws fails the run. ./run-tests runs it after `mvn -B verify`; about a minute.
# Usage: benchmarks/scripts/jmh-smoke.sh [JMH ARGS...]   (CACHE_PROXY_BENCH_JAR=path/to/benchmarks.jar)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../.ci/find-jdk.sh
. "$root/.ci/find-jdk.sh"
find_jdk jre
jar=${CACHE_PROXY_BENCH_JAR:-$root/benchmarks/target/benchmarks.jar}
if [[ ! -f $jar ]]; then
  echo "no $jar: build it with mvn -B -pl rules,cache-proxy-core,benchmarks -am package -DskipTests" >&2
  exit 2
fi

work=$(mktemp -d /tmp/cache-proxy-jmh-smoke.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# -foe: a benchmark that throws stops the run with a failure. The benchmarks' temporary folders go
# to $work, so nothing is left behind even if one fails.
java -jar "$jar" -f 1 -wi 0 -i 1 -w 100ms -r 100ms -foe true \
  -p rules=10 -p distinctNames=1 -p images=20 -p sizeMiB=1 -p clients=2 -p blobKiB=4 \
  -jvmArgsAppend "-Djava.io.tmpdir=$work" "$@"
