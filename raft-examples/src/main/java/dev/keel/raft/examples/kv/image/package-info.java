/**
 * The KV node's container image: {@link dev.keel.raft.examples.kv.image.ImageContext} writes its build context
 * (a {@code FROM scratch} image with a jlink runtime), for {@code raft-examples/build-image.sh} and the container
 * tests.
 */
package dev.keel.raft.examples.kv.image;
