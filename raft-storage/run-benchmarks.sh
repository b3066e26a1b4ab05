#!/usr/bin/env bash
# Runs the append benchmarks interleaved with the bare write+force baseline, ROUNDS times, so that a shared or noisy
# disk (other processes' fsyncs, CPU contention) weighs on the storage and on the baseline alike. JSON results go to
# raft-storage/target/bench-results. Run from the repository root:
#   raft-storage/run-benchmarks.sh [rounds]          (extra Maven options in MVN_ARGS, e.g. -Dmaven.repo.local=...)
set -euo pipefail
rounds=${1:-3}
cd "$(dirname "$0")/.."
out=raft-storage/target/bench-results
mkdir -p "$out"
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -pl raft-storage -am -DskipTests package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$out/classpath.txt"
cp="$PWD/raft-storage/target/test-classes:$PWD/raft-storage/target/classes:$(cat "$out/classpath.txt")"
cd raft-storage
# One JMH run per payload size and round holds all three benchmarks back to back (about 25 s), so each storage result
# has a baseline measured on the disk in the same state: this VM's disk switches between fsyncs of ~0.2 ms and
# ~2.5 ms from one minute to the next.
for r in $(seq 1 "$rounds"); do
  for size in 128 1024; do
    java -cp "$cp" org.openjdk.jmh.Main 'AppendBenchmark|BareFsyncBenchmark' -p payloadBytes="$size" -p fsync=ALWAYS \
        -f 1 -wi 1 -w 1s -i 1 -r 3s -bm thrpt,sample -tu us \
        -rf json -rff "target/bench-results/round$r-$size.json" | grep -E '^(Benchmark|Append|Bare)' || true
  done
done
