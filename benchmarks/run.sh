#!/usr/bin/env bash
# Runs the JMH suite, keeps the JSON under benchmarks/results/<mode>/, and regenerates
# docs/performance.md and docs/img/performance-*.png from it.
#
#   benchmarks/run.sh --quick      # under 5 minutes on 2 cores: 1 fork, 1 s warm-up, 2 × 1 s
#   benchmarks/run.sh              # full: 2 forks, 3 × 2 s warm-up, 5 × 2 s measurement
#   benchmarks/run.sh --no-build   # either mode, reusing benchmarks/target/benchmarks.jar
#   benchmarks/run.sh --report-only [--quick]   # only regenerate the docs from existing JSON
#   benchmarks/run.sh --quick --only redis      # re-run some groups (comma-separated), keep the
#                                               # others' JSON, regenerate the docs from all
#
# Groups: classic, store-cost, read-mostly, fan-out, latency, memory, redis. The redis group
# starts its own redis-server (/usr/bin/redis-server or redis-server on the PATH, or
# -Dsnapflux.redis.server=... in JMH_EXTRA's -jvmArgs) on a free loopback port per fork; it is
# skipped, with a message, when there is none.
# Extra JMH options can be passed in JMH_EXTRA (e.g. JMH_EXTRA='-jvmArgs -Xmx2g').
#
#   benchmarks/run.sh --only watch [--quick]    # the watch protocol over HTTP (issue 15), not
#                                               # part of a default run: SSE fan-out to 100,
#                                               # 1,000, 10,000 streams, 10,000 held long polls,
#                                               # GET /api/state vs a constant body (with wrk if
#                                               # installed: apt-get install wrk). Writes
#                                               # benchmarks/results/perf/watch.{json,log};
#                                               # docs/performance.md section 7 is written by hand
#                                               # from them. Needs ~10,100 open files per process.
set -euo pipefail

cd "$(dirname "$0")/.."
mode=full
build=1
run=1
all_groups=(classic store-cost read-mostly fan-out latency memory redis)
# Groups run only when named with --only.
extra_groups=(watch)
only=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick ;;
    --no-build) build=0 ;;
    --report-only) build=0; run=0 ;;
    --only)
      [[ $# -ge 2 ]] || { echo "--only needs a group list, e.g. --only redis" >&2; exit 2; }
      IFS=, read -r -a only <<< "$2"; shift ;;
    --only=*) IFS=, read -r -a only <<< "${1#--only=}" ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
for g in "${only[@]}"; do
  [[ " ${all_groups[*]} ${extra_groups[*]} " == *" $g "* ]] \
    || { echo "unknown group: $g (groups: ${all_groups[*]} ${extra_groups[*]})" >&2; exit 2; }
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
  rm -f "$out/$name.json" "$out/$name.log"
  sed -i "/^$name /d" "$out/load.txt" 2>/dev/null || true
  echo "$name $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  java -jar "$jar" "$@" "${opts[@]}" "${extra[@]}" -rf json -rff "$out/$name.json" \
    > "$out/$name.log" 2>&1 || { tail -40 "$out/$name.log"; exit 1; }
  grep -E '^[A-Z][A-Za-z]+Benchmark\.' "$out/$name.log" | grep -v ':p0\.\(0\|9[05]\|999\+\)' || true
}

redis_server() {
  [[ -x /usr/bin/redis-server || ${JMH_EXTRA:-} == *snapflux.redis.server* ]] \
    || command -v redis-server > /dev/null
}

group() {
  case "$1" in
    classic)
      local classic='io\.snapflux\.benchmarks\.(Counter|Stack|Queue|Dict)Benchmark'
      # JMH's gc profiler: allocation per operation and GC time explain the store/CAS gap.
      jmh classic-t1 "$classic" -t 1 -prof gc
      jmh classic-t8 "$classic" -t 8 -prof gc ;;
    store-cost)
      # Diagnostics: the store with one setting changed at a time (see StoreCostBenchmark).
      jmh store-cost-t1 'io\.snapflux\.benchmarks\.StoreCostBenchmark' -t 1
      jmh store-cost-t8 'io\.snapflux\.benchmarks\.StoreCostBenchmark' -t 8 -prof gc ;;
    read-mostly) jmh read-mostly 'io\.snapflux\.benchmarks\.ReadMostlyBenchmark' ;;
    fan-out) jmh fan-out 'io\.snapflux\.benchmarks\.FanOutBenchmark' ;;
    latency) jmh latency 'io\.snapflux\.benchmarks\.LatencyBenchmark' ;;
    memory)
      echo "== memory"
      java -XX:+UseSerialGC -Xmx1g -cp "$jar" io.snapflux.benchmarks.MemoryPerSubscriber 10000 \
        > "$out/memory.json"
      cat "$out/memory.json" ;;
    redis)
      if ! redis_server; then
        echo "== redis: skipped, no redis-server (install it, or see the header)"
        return
      fi
      # Workload 5: each fork starts its own redis-server on a free loopback port.
      jmh redis-t1 'io\.snapflux\.benchmarks\.RedisBenchmark\.update$' -t 1
      jmh redis-t8 'io\.snapflux\.benchmarks\.RedisBenchmark\.update$' -t 8
      jmh redis-latency 'io\.snapflux\.benchmarks\.RedisBenchmark\.propagation$' -t 1 ;;
    watch)
      echo "== watch"
      local perf=benchmarks/results/perf watch_opts=()
      [[ $mode == quick ]] && watch_opts=(--versions 50 --get-seconds 3)
      command -v wrk > /dev/null \
        || echo "wrk not found: GET throughput uses the Java load client (apt-get install wrk)"
      # 10,000 connections per process (the server here, the load client in a child JVM).
      ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
      if (( $(ulimit -n) < 10500 )); then
        echo "open file limit $(ulimit -n) < 10500: 10,000 streams will fail (raise ulimit -Hn)"
      fi
      mkdir -p "$perf"
      echo "watch $(cut -d' ' -f1-3 /proc/loadavg)" >> "$perf/watch-load.txt"
      java -Xmx1g -cp "$jar" io.snapflux.benchmarks.watch.WatchBenchmark "${watch_opts[@]}" \
        --out "$perf/watch.json" 2>&1 | grep -v '^SLF4J' | tee "$perf/watch.log" ;;
  esac
}

if [[ $run == 1 ]]; then
  mkdir -p "$out"
  started=$(date +%s)
  if [[ ${#only[@]} == 0 ]]; then
    rm -f "$out"/*.json "$out"/*.log "$out"/*.txt
    date -u '+%Y-%m-%d %H:%M UTC' > "$out/date.txt"
    for g in "${all_groups[@]}"; do group "$g"; done
  else
    # The other groups' JSON stays; date.txt keeps the full run's date and notes the re-runs.
    [[ -f "$out/date.txt" ]] || echo "unknown" > "$out/date.txt"
    for g in "${only[@]}"; do
      if [[ " ${extra_groups[*]} " == *" $g "* ]]; then
        group "$g"
        continue
      fi
      sed -i "/^$g re-run /d" "$out/date.txt"
      echo "$g re-run $(date -u '+%Y-%m-%d %H:%M UTC')" >> "$out/date.txt"
      group "$g"
    done
  fi
  echo "benchmarks took $(( $(date +%s) - started )) s"
fi

# Only extra groups: their results are not in the generated part of the page.
regenerate=0
for g in "${only[@]}"; do
  [[ " ${extra_groups[*]} " == *" $g "* ]] || regenerate=1
done
if [[ ${#only[@]} -gt 0 && $regenerate == 0 && $run == 1 ]]; then
  exit 0
fi

java -Djava.awt.headless=true -cp "$jar" io.snapflux.benchmarks.report.Report \
  "$out" docs/performance.md docs/img "$mode" \
  "$(sed ':a;N;$!ba;s/\n/; /g' "$out/date.txt" 2>/dev/null || echo unknown)"
