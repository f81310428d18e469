#!/usr/bin/env bash
# The end-to-end load run (dev.cacheproxy.benchmarks.load.LoadRunner): a real docker-registry
# upstream with generated images behind an emulated distant link, cache-proxy, and in the same run
# the references (the upstream directly, docker-registry in proxy mode, nginx proxy_cache, nginx
# sendfile); writes benchmarks/results/results.md and results.png. About 15 minutes; --quick
# (what ./run-tests runs) takes about a minute and writes to a temp folder, printing the table.
# Needs docker-registry, nginx-light and skopeo (apt-get install them), a JDK >= 21, ~3 GiB in /tmp.
# Usage: benchmarks/scripts/load.sh [--quick] [--help for the runner's options]
#        (CACHE_PROXY_JAR / CACHE_PROXY_BENCH_JAR: measure other builds)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../.ci/find-jdk.sh
. "$root/.ci/find-jdk.sh"
find_jdk
# shellcheck source=lib.sh
. "$root/benchmarks/scripts/lib.sh"
require_tools "docker-registry nginx-light skopeo" docker-registry nginx skopeo
case ":$PATH:" in
  *:/usr/sbin:*) ;;
  *) export PATH="$PATH:/usr/sbin" ;;
esac

jar=$(proxy_jar)
bench=${CACHE_PROXY_BENCH_JAR:-$root/benchmarks/target/benchmarks.jar}
if [[ ! -f $bench ]]; then
  (cd "$root" && mvn -B -q -Dmaven.test.skip=true -pl rules,cache-proxy-core,cache-proxy-server,benchmarks package) >&2
fi

out=$root/benchmarks/results
quick_out=""
for arg in "$@"; do
  if [[ $arg == --quick ]]; then
    quick_out=$(mktemp_work load-quick)
    out=$quick_out
  fi
done
cleanup() { [[ -z $quick_out ]] || rm -rf "$quick_out"; }
trap cleanup EXIT

java -Djava.awt.headless=true -cp "$bench" dev.cacheproxy.benchmarks.load.LoadRunner \
  --proxy-jar "$jar" --out "$out" "$@"
