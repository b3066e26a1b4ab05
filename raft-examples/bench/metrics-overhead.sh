#!/usr/bin/env bash
# The cost of metrics: keel-bench at W writers (default 16) with --metrics off and on (Micrometer's Prometheus
# registry as the KV node uses it: percentile histograms and a p99 on every histogram, scraped every 15 s),
# interleaved (off, on, off, on, ...) so that both see the same machine, then the medians of each side: ops/s,
# p99 and CPU per operation. Prints every run's row and the medians as Markdown.
#   raft-examples/bench/metrics-overhead.sh [rounds] [writers] [duration] [warmup]   (defaults 7, 16, 20s, 5s)
# A longer warm-up (e.g. 30s) keeps the JIT's one-time compiling of the metrics code out of the measured window.
# On a shared machine single runs swing by tens of percent: the spread of each side is printed with its median.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-7}
writers=${2:-16}
duration=${3:-20s}
warmup=${4:-5s}
jar=raft-examples/target/keel-kv.jar
[ -f "$jar" ] || { echo "metrics-overhead: $jar is missing; build it: mvn -pl raft-examples -am package -DskipTests" >&2; exit 1; }
out=$(mktemp /tmp/keel-metrics-overhead.XXXXXX)
trap 'rm -f "$out"' EXIT

echo "metrics-overhead: $rounds rounds of W=$writers, $warmup warm-up + $duration each side, started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for m in off on; do
    row=$(raft-examples/keel-bench --writers "$writers" --warmup "$warmup" --duration "$duration" --metrics "$m" \
      | grep '^| write |')
    echo "$m $row" | tee -a "$out"
  done
  echo "  (after round $r: load $(cut -d' ' -f1-3 /proc/loadavg))"
done

# Columns of a keel-bench row: | mode | W | ops/s | p50 | p99 | p99.9 | errors | CPU us/op | ...
awk -F'|' '
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    side = substr($1, 1, index($1, " ") - 1); gsub(/,/, "", $4)
    n[side]++; ops[side, n[side]] = $4 + 0; p99[side, n[side]] = $6 + 0; cpu[side, n[side]] = $9 + 0
  }
  END {
    for (s in n) {
      for (i = 1; i <= n[s]; i++) { o[i] = ops[s, i]; p[i] = p99[s, i]; c[i] = cpu[s, i] }
      lo[s] = o[1]; hi[s] = o[1]
      for (i = 1; i <= n[s]; i++) { if (o[i] < lo[s]) lo[s] = o[i]; if (o[i] > hi[s]) hi[s] = o[i] }
      mo[s] = median(o, n[s]); mp[s] = median(p, n[s]); mc[s] = median(c, n[s])
    }
    print ""
    print "| metrics | runs | ops/s median (min-max) | p99 ms median | CPU us/op median |"
    print "|---|---|---|---|---|"
    for (s = 0; s < 2; s++) {
      k = s ? "on" : "off"
      printf "| %s | %d | %.0f (%.0f-%.0f) | %.2f | %.1f |\n", k, n[k], mo[k], lo[k], hi[k], mp[k], mc[k]
    }
    printf "\nthroughput with metrics on: %.1f%% of off; CPU per op: %+.1f%%\n", 100 * mo["on"] / mo["off"], 100 * (mc["on"] / mc["off"] - 1)
    # The on and off runs of one round ran back to back: their ratio sees the least drift in load.
    k = n["on"] < n["off"] ? n["on"] : n["off"]
    for (i = 1; i <= k; i++) { ro[i] = ops["on", i] / ops["off", i]; rc[i] = cpu["on", i] / cpu["off", i] }
    printf "per round (on / off), median of %d rounds: throughput %.1f%%, CPU per op %+.1f%%\n", k, 100 * median(ro, k), 100 * (median(rc, k) - 1)
  }' "$out"
