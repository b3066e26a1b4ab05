#!/usr/bin/env bash
# InstallSnapshot throughput against a plain loopback socket copy of as many bytes, and the restart time of a KV node
# with a million keys with and without a snapshot (see raft-storage/README.md, "InstallSnapshot and restart").
# Output goes to the terminal and to raft-examples/target/bench-results. Run from the repository root:
#   raft-examples/bench/snapshot-benchmark.sh [transfer MiB (1024)] [rounds (4)] [keys (1000000)]
# Extra Maven options in MVN_ARGS (e.g. -o -Dmaven.repo.local=...), extra JVM options for the transfer in JAVA_OPTS.
set -euo pipefail
mib=${1:-1024}
rounds=${2:-4}
keys=${3:-1000000}
cd "$(dirname "$0")/../.."
out="$PWD/raft-examples/target/bench-results"
mkdir -p "$out"
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -pl raft-examples -am -DskipTests package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath.txt"
cp="$PWD/raft-examples/target/test-classes:$PWD/raft-examples/target/classes:$(cat "$out/classpath.txt")"
scratch=$(mktemp -d "$PWD/raft-examples/target/snapshot-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)" | tee "$out/snapshot-bench.txt"
# A 3-node cluster in one JVM with the heap of LargeInstallSnapshotTest (96 MiB: the transfer is streamed); the late
# node is wiped and sent the snapshot again every round, so later rounds run on compiled code.
# shellcheck disable=SC2086
java -Xmx96m -XX:MaxDirectMemorySize=64m ${JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
    dev.keel.raft.examples.snapshot.BigStateTransfer "$scratch/transfer" $((mib << 20)) "$rounds" \
    | grep -E '^(SNAPSHOT|ROUND|SOCKET_COPY_ROUND|THREAD_CPU)' | tee -a "$out/snapshot-bench.txt"
rm -rf "$scratch/transfer"
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
    dev.keel.raft.examples.snapshot.RestartBench "$scratch/restart" "$keys" 100 3 | tee -a "$out/snapshot-bench.txt"
