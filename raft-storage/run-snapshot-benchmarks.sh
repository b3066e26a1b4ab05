#!/usr/bin/env bash
# Runs the snapshot write benchmark (FileSnapshotStorage vs a plain write + force of the same bytes) ROUNDS times,
# both sides back to back in each round, so that both see the disk in the same state. JSON results go to
# raft-storage/target/bench-results. Run from the repository root:
#   raft-storage/run-snapshot-benchmarks.sh [rounds]  (extra Maven options in MVN_ARGS, e.g. -Dmaven.repo.local=...)
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
# Three warm-up writes of 256 MiB (the first ones run before the JIT has compiled the write path) and five measured ones per side and round (well under a minute per round on a fast disk).
for r in $(seq 1 "$rounds"); do
  java -cp "$cp" org.openjdk.jmh.Main 'SnapshotWriteBenchmark' -f 1 -wi 3 -i 5 \
      -rf json -rff "target/bench-results/snapshot-round$r.json" | grep -E '^(Benchmark|SnapshotWrite)' || true
done
