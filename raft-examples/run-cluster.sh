#!/usr/bin/env bash
# Builds the KV node if needed and starts a local cluster on 127.0.0.1, one process per node.
#   raft-examples/run-cluster.sh                         3 nodes, data in ./keel-data (reused on the next run)
#   raft-examples/run-cluster.sh --nodes 5 --data /tmp/k5
# Ctrl-C stops every node cleanly. More options: raft-examples/run-cluster.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "run-cluster.sh: 'java' is not installed (a JDK 17 or newer is needed; .ci/run shows how)" >&2
  exit 1
fi

jar=raft-examples/target/keel-kv.jar
# Rebuild when the jar is missing or any source or pom is newer than it.
if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  echo "Building the KV node (./mvnw package, tests skipped; the first build downloads Maven and dependencies)..."
  # keel.publish.skip: no -sources or -javadoc jars, which a local cluster does not need.
  if ! ./mvnw -B -q -DskipTests -Dkeel.publish.skip=true -pl raft-examples -am package > target-build.log 2>&1; then
    cat target-build.log >&2
    echo "run-cluster.sh: the build failed (output above, also in target-build.log)" >&2
    exit 1
  fi
  rm -f target-build.log
fi

exec java -jar "$jar" cluster "$@"
