#!/usr/bin/env bash
# Builds the KV node's container image locally, pulling nothing from any registry: FROM scratch, a jlink runtime made
# from this JDK, the shared libraries it needs copied from this machine, and the node's jar (the same image the
# container tests run). Needs a JDK 17+ and a Docker engine.
#   raft-examples/build-image.sh                 # tags keel-kv:<version> and keel-kv:latest
#   raft-examples/build-image.sh my/keel:1.0     # tags my/keel:1.0 (and keel-kv:latest)
# Then: docker-compose -f raft-examples/docker/docker-compose.yml up -d   (a 3-node cluster, see that file)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker >/dev/null 2>&1 || { echo "build-image.sh: 'docker' is not installed" >&2; exit 1; }

echo "Building the KV node (./mvnw package, tests skipped)..."
./mvnw -B -q -DskipTests -Dkeel.publish.skip=true -pl raft-examples -am package
version="$(sed -n "s:.*<revision>\(.*\)</revision>.*:\1:p" pom.xml | head -1)"
tag="${1:-keel-kv:${version:-latest}}"

context=raft-examples/target/kv-image
java -cp raft-examples/target/keel-kv.jar dev.keel.raft.examples.kv.image.ImageContext \
  "$context" raft-examples/target/keel-kv.jar raft-examples/target/lib
docker build -t "$tag" -t keel-kv:latest "$context"
echo "built $tag (also tagged keel-kv:latest)"
