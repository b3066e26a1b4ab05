package dev.keel.raft.examples.kv.container;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Container tests need a Docker engine. Without one they are skipped with a message saying so, unless
 * {@code KEEL_REQUIRE_DOCKER=true} (as in CI), where a missing engine fails them instead.
 */
final class DockerRequirement {
    private DockerRequirement() {
    }

    static void check() {
        boolean available;
        String why = "";
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
            why = ": " + e.getMessage();
        }
        if (available) {
            return;
        }
        String message = "no Docker engine available" + why + "; start dockerd (see .ci/run), or set "
                + "KEEL_REQUIRE_DOCKER=true to make this a failure";
        if ("true".equalsIgnoreCase(System.getenv("KEEL_REQUIRE_DOCKER"))) {
            throw new AssertionError("KEEL_REQUIRE_DOCKER=true but " + message.replace(", or set "
                    + "KEEL_REQUIRE_DOCKER=true to make this a failure", ""));
        }
        System.out.println("SKIPPED container tests: " + message);
        Assumptions.abort("container tests skipped: " + message);
    }
}
