#!/usr/bin/env bash
# Keel next to SOFAJRaft, MicroRaft and Ratis in the peers' own harness (issue 20): builds Keel, compiles
# bench/peers/KeelPeersDriver.java against the harness's common module, and runs the harness's run.sh with Keel as an
# outside driver (DRIVER_CP_keel / DRIVER_MAIN_keel), interleaved with the peers, same JVM flags for all.
#   raft-examples/bench/peers.sh                      # LIBS="keel jraft microraft", the harness's defaults otherwise
#   LIBS=keel REPS=1 WRITERS=16 DURATION=5 raft-examples/bench/peers.sh      # a quick check of the driver
# PEERS_DIR is the harness (default ../shared/bench/peers next to this repository); results go to RESULTS_DIR
# (default raft-examples/target/peers-results). Every knob of run.sh (REPS, WRITERS, WARMUP, ...) passes through.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peers=${PEERS_DIR:-$repo/../shared/bench/peers}
[ -x "$peers/run.sh" ] || { echo "peers.sh: no harness at $peers (set PEERS_DIR)" >&2; exit 1; }
peers=$(cd "$peers" && pwd)
out=$repo/raft-examples/target/peers-driver

(cd "$repo" && mvn -B -q -pl raft-examples -am package -DskipTests)
(cd "$peers" && mvn -B -q -pl common package -DskipTests)
keel_cp="$repo/raft-examples/target/keel-kv.jar"
common_cp="$peers/common/target/classes:$peers/common/target/lib/*"
rm -rf "$out" && mkdir -p "$out"
javac --release 17 -d "$out" -cp "$keel_cp:$common_cp" "$repo/raft-examples/bench/peers/KeelPeersDriver.java"

export DRIVER_CP_keel="$out:$keel_cp:$common_cp"
export DRIVER_MAIN_keel=bench.keel.KeelPeersDriver
export LIBS=${LIBS:-"keel jraft microraft"}
export RESULTS_DIR=${RESULTS_DIR:-$repo/raft-examples/target/peers-results}
exec "$peers/run.sh"
