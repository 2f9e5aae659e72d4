#!/usr/bin/env bash
# Runs the JMH suite, keeps the JSON under benchmarks/results/<mode>/, and regenerates
# docs/performance.md and docs/img/performance-*.png from it.
#
#   benchmarks/run.sh --quick      # under 5 minutes on 2 cores: 1 fork, 1 s warm-up, 2 × 1 s
#   benchmarks/run.sh              # full: 2 forks, 3 × 2 s warm-up, 5 × 2 s measurement
#   benchmarks/run.sh --no-build   # either mode, reusing benchmarks/target/benchmarks.jar
#   benchmarks/run.sh --report-only [--quick]   # only regenerate the docs from existing JSON
#
# Extra JMH options can be passed in JMH_EXTRA (e.g. JMH_EXTRA='-jvmArgs -Xmx2g').
set -euo pipefail

cd "$(dirname "$0")/.."
mode=full
build=1
run=1
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --no-build) build=0 ;;
    --report-only) build=0; run=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

jar=benchmarks/target/benchmarks.jar
out=benchmarks/results/$mode

if [[ $build == 1 ]]; then
  ./mvnw -B -q -pl benchmarks -am -DskipTests package
fi

if [[ $mode == quick ]]; then
  opts=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
else
  opts=(-f 2 -wi 3 -w 2s -i 5 -r 2s)
fi
# shellcheck disable=SC2206
extra=(${JMH_EXTRA:-})

jmh() { # name, then JMH arguments
  local name=$1; shift
  echo "== $name"
  echo "$name $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  java -jar "$jar" "$@" "${opts[@]}" "${extra[@]}" -rf json -rff "$out/$name.json" \
    > "$out/$name.log" 2>&1 || { tail -40 "$out/$name.log"; exit 1; }
  grep -E '^[A-Z][A-Za-z]+Benchmark\.' "$out/$name.log" | grep -v ':p0\.\(0\|9[05]\|999\+\)' || true
}

if [[ $run == 1 ]]; then
  mkdir -p "$out"
  rm -f "$out"/*.json "$out"/*.log "$out"/*.txt
  started=$(date +%s)
  date -u '+%Y-%m-%d %H:%M UTC' > "$out/date.txt"
  classic='io\.snapflux\.benchmarks\.(Counter|Stack|Queue|Dict)Benchmark'
  # JMH's gc profiler: allocation per operation and GC time explain the store/CAS gap.
  jmh classic-t1 "$classic" -t 1 -prof gc
  jmh classic-t8 "$classic" -t 8 -prof gc
  # Diagnostics: the store with one setting changed at a time (see StoreCostBenchmark).
  jmh store-cost-t1 'io\.snapflux\.benchmarks\.StoreCostBenchmark' -t 1
  jmh store-cost-t8 'io\.snapflux\.benchmarks\.StoreCostBenchmark' -t 8 -prof gc
  jmh read-mostly 'io\.snapflux\.benchmarks\.ReadMostlyBenchmark'
  jmh fan-out 'io\.snapflux\.benchmarks\.FanOutBenchmark'
  jmh latency 'io\.snapflux\.benchmarks\.LatencyBenchmark'
  echo "== memory"
  java -XX:+UseSerialGC -Xmx1g -cp "$jar" io.snapflux.benchmarks.MemoryPerSubscriber 10000 \
    > "$out/memory.json"
  cat "$out/memory.json"
  echo "benchmarks took $(( $(date +%s) - started )) s"
fi

java -Djava.awt.headless=true -cp "$jar" io.snapflux.benchmarks.report.Report \
  "$out" docs/performance.md docs/img "$mode" "$(cat "$out/date.txt" 2>/dev/null || echo unknown)"
