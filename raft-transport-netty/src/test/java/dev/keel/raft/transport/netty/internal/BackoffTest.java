package dev.keel.raft.transport.netty.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    private static final long MS = 1_000_000;

    @Test
    void theWaitDoublesPerFailureUpToTheCap() {
        Backoff noJitter = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), () -> 0.999999999);
        assertThat(noJitter.delayNanos(1)).isCloseTo(10 * MS, org.assertj.core.data.Offset.offset(10L));
        assertThat(noJitter.delayNanos(2)).isCloseTo(20 * MS, org.assertj.core.data.Offset.offset(10L));
        assertThat(noJitter.delayNanos(4)).isCloseTo(80 * MS, org.assertj.core.data.Offset.offset(10L));
        assertThat(noJitter.delayNanos(5)).isCloseTo(100 * MS, org.assertj.core.data.Offset.offset(10L));
        assertThat(noJitter.delayNanos(1_000_000)).isCloseTo(100 * MS, org.assertj.core.data.Offset.offset(10L));
    }

    @Test
    void jitterTakesOffUpToHalf() {
        Backoff lowest = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), () -> 0.0);
        assertThat(lowest.delayNanos(1)).isEqualTo(5 * MS);
        assertThat(lowest.delayNanos(10)).isEqualTo(50 * MS);
        java.util.Random random = new java.util.Random(1);
        Backoff jittered = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), random::nextDouble);
        for (int i = 0; i < 1000; i++) {
            assertThat(jittered.delayNanos(3)).isBetween(20 * MS, 40 * MS);
        }
    }

    @Test
    void rejectsBadBounds() {
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(10), Duration.ofMillis(5), () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), () -> 0).delayNanos(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
