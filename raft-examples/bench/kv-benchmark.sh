#!/usr/bin/env bash
# Reproduces the KV benchmark table in raft-examples/README.md: redis-benchmark (SET and GET, 128-byte values,
# 50 clients, without and with -P 16) against a local 3-node Keel KV cluster (through the leader and through a
# follower; fsync always) and, side by side in the same session, against one durable redis-server
# (appendonly yes, appendfsync always). Needs redis-server and redis-benchmark (Debian: redis-server, redis-tools).
#   raft-examples/bench/kv-benchmark.sh [requests] [rounds]     (defaults 100000 and 3)
# This machine's disk switches between fast and slow fsync regimes and the machine is shared, so one measurement
# says little: every round measures redis-server and Keel back to back, with the fsync latency of that moment, and
# the ratios are taken within a round.
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-100000}
rounds=${2:-3}
work=$(mktemp -d /tmp/keel-kv-bench.XXXXXX)
client_base=6501
redis_port=6599

for tool in redis-server redis-benchmark redis-cli java mvn; do
  command -v "$tool" >/dev/null || { echo "kv-benchmark: $tool is missing" >&2; exit 1; }
done
jar=raft-examples/target/keel-kv.jar
[ -f "$jar" ] || mvn -q -DskipTests -pl raft-examples -am package

cleanup() {
  if [ -n "${cluster_pid:-}" ]; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync always \
  --save "" --daemonize yes --logfile "$work/redis.log"
java -jar "$jar" cluster --data "$work/keel" --client-port "$client_base" --raft-port 7501 \
  </dev/null >"$work/cluster.out" 2>&1 &
cluster_pid=$!

role_of() { redis-cli -p "$1" info raft 2>/dev/null | tr -d '\r' | sed -n 's/^role://p'; }
leader=""
for _ in $(seq 1 60); do
  for p in $client_base $((client_base + 1)) $((client_base + 2)); do
    [ "$(role_of "$p")" = leader ] && leader=$p
  done
  [ -n "$leader" ] && break
  sleep 1
done
[ -n "$leader" ] || { echo "kv-benchmark: no leader; see $work/keel/n*/node.log" >&2; cat "$work/cluster.out" >&2; exit 1; }
follower=$client_base
[ "$follower" = "$leader" ] && follower=$((client_base + 1))

rps() { # port pipeline test -> requests per second
  redis-benchmark -p "$1" -t "$3" -n "$requests" -c 50 -d 128 -P "$2" --csv 2>/dev/null \
    | awk -F'","' -v t="$(echo "$3" | tr a-z A-Z)" 'index($1, t) {gsub(/"/, "", $2); print int($2)}'
}

# The JVMs compile their hot paths during the first requests: warm every path up before measuring.
for warm in 1 2; do
  for p in "$leader" "$follower"; do
    rps "$p" 16 set >/dev/null; rps "$p" 1 set >/dev/null; rps "$p" 1 get >/dev/null; rps "$p" 16 get >/dev/null
  done
done

fsync_ms() { # mean latency of 200 synchronous 4 KiB writes, in ms
  local t0 t1
  t0=$(date +%s%N)
  dd if=/dev/zero of="$work/fsync.probe" bs=4k count=200 oflag=dsync status=none
  t1=$(date +%s%N)
  rm -f "$work/fsync.probe"
  awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", ns / 200 / 1e6 }'
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
echo "java: $(java -version 2>&1 | head -1)   redis: $(redis-server --version | cut -d' ' -f3)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | fsync ms | target | pipeline | SET req/s | GET req/s | SET vs redis | GET vs redis |"
echo "|---|---|---|---|---|---|---|---|"
ratios=$work/ratios
: > "$ratios"
for round in $(seq 1 "$rounds"); do
  for pipeline in 1 16; do
    f=$(fsync_ms)
    r_set=$(rps "$redis_port" "$pipeline" set); r_get=$(rps "$redis_port" "$pipeline" get)
    echo "| $round | $f | redis-server, appendfsync always | $pipeline | $r_set | $r_get | 100% | 100% |"
    for target in leader follower; do
      port=$leader; [ "$target" = follower ] && port=$follower
      k_set=$(rps "$port" "$pipeline" set); k_get=$(rps "$port" "$pipeline" get)
      s_pct=$((100 * k_set / r_set)); g_pct=$((100 * k_get / r_get))
      echo "| $round | $f | Keel KV, 3 nodes, via the $target | $pipeline | $k_set | $k_get | $s_pct% | $g_pct% |"
      echo "$target $pipeline $s_pct $g_pct" >> "$ratios"
    done
  done
done
echo
echo "Median ratios over $rounds rounds:"
echo
echo "| target | pipeline | SET vs redis | GET vs redis |"
echo "|---|---|---|---|"
for target in leader follower; do
  for pipeline in 1 16; do
    med() { awk -v t="$target" -v p="$pipeline" -v c="$1" '$1 == t && $2 == p { print $c }' "$ratios" | sort -n \
      | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)) }'; }
    echo "| via the $target | $pipeline | $(med 3)% | $(med 4)% |"
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
