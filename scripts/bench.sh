#!/usr/bin/env bash
# Benchmarks, by scenario name: scripts/bench.sh SCENARIO [options]
#   scripts/bench.sh dispatch [--items 1000000] [--heap 256m] [--rounds 3] [--partitions 8]
#   scripts/bench.sh scaleout [--workers 1,2,4,8,16] [--partitions 4] [--concurrency 8] [--latency-ms 50]
#     workers on a consumer-group lane, then on a share-group lane, calling a 50 ms HTTP downstream
#   scripts/bench.sh worker [--items 50000] [--keys 10000] [--partitions 8] [--concurrency 200] [--latency-ms 20]
#   scripts/bench.sh system [--scenario a|b|c|d|all] [--rounds 3] [--workers 2] [--peer on|off]
#     the product as a user runs it: fanout broker, aggregator, workers and dispatch as separate processes started
#     through scripts/fanout, beside Confluent's Parallel Consumer on the same broker and records
# Finds a JDK 21+, builds the bench module when it is missing or older than the sources, then runs the scenario's
# Java main. Each scenario starts its own embedded Kafka broker and stops it (and every child JVM) when it ends.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/java.sh
source "$root/scripts/lib/java.sh"
fanout_find_java

if [ $# -lt 1 ]; then
  echo "usage: scripts/bench.sh SCENARIO [--option value ...]; scenarios: chaos (scripts/chaos), dispatch, scaleout, system, worker; --help" >&2
  exit 2
fi

classes="$root/bench/target/classes"
classpath_file="$root/bench/target/bench.classpath"
stale() {
  [ ! -f "$classpath_file" ] && return 0
  [ -n "$(find "$root" -path "$root/.git" -prune -o -path '*/target' -prune -o \
      \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$classpath_file" -print -quit)" ]
}
if stale; then
  echo "bench: building the benchmarks (the first build downloads Maven and dependencies) ..." >&2
  log="$(mktemp "${TMPDIR:-/tmp}/fanout-bench-build.XXXXXX")"
  if ! (cd "$root" && ./mvnw -B -q -Dmaven.test.skip=true package -pl bench -am >"$log" 2>&1); then
    tail -n 60 "$log" >&2
    echo "bench: the build failed; full log: $log" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$classpath_file" # the dependency plugin leaves an unchanged classpath file as it was: mark the build
fi

exec "$JAVA" -Xmx512m --enable-native-access=ALL-UNNAMED -Dfanout.root="$root" -cp "$classes:$(cat "$classpath_file")" dev.fanout.bench.Bench "$@"
