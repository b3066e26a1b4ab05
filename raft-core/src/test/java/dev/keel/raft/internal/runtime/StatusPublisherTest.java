package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftListener;
import dev.keel.raft.Role;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.internal.engine.SoftState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StatusPublisherTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final Membership M = Membership.ofVoters(List.of(Member.of(N1), Member.of(N2)));
    private static final SoftState FOLLOWER = new SoftState(Role.FOLLOWER, 1, null, M, 0);
    private static final SoftState LEADER = new SoftState(Role.LEADER, 2, N1, M, 0);

    private final AtomicLong applied = new AtomicLong();

    @Test
    void theAppliedIndexShownNeverPassesTheCommitIndexOfTheSameStatus() {
        StatusPublisher p = new StatusPublisher(N1, applied::get, FOLLOWER, 0, 5, 1, 10);
        applied.set(5);
        assertThat(p.status().appliedIndex()).isEqualTo(5);
        // The applier is ahead of the status last published (it got entries a newer status will announce).
        applied.set(8);
        ServerStatus s = p.status();
        assertThat(s.commitIndex()).isEqualTo(5);
        assertThat(s.appliedIndex()).isEqualTo(5);
        p.publish(9, 1, 10, false);
        assertThat(p.status()).satisfies(t -> {
            assertThat(t.commitIndex()).isEqualTo(9);
            assertThat(t.appliedIndex()).isEqualTo(8);
        });
    }

    @Test
    void aStatusIsOneMomentOfTheLoop() {
        StatusPublisher p = new StatusPublisher(N1, applied::get, FOLLOWER, 3, 5, 4, 10);
        p.softStateChanged(LEADER);
        p.matchIndex(Map.of(N2, 7L));
        p.snapshotIndex(6);
        // Nothing shows before the loop publishes.
        assertThat(p.status().role()).isEqualTo(Role.FOLLOWER);
        assertThat(p.status().snapshotIndex()).isEqualTo(3);
        p.publish(7, 4, 12, true);
        assertThat(p.status()).isEqualTo(new ServerStatus(N1, Role.LEADER, 2, N1, 7, 0, 4, 12, 6, M, 0, true,
                Map.of(N2, 7L)));
        // A follower shows no match indexes, whatever the loop last refreshed.
        p.softStateChanged(FOLLOWER);
        p.publish(7, 4, 12, false);
        assertThat(p.status().matchIndex()).isEmpty();
    }

    @Test
    void listenersHearThePublishedStatusAndOneThatThrowsDoesNotStopTheOthers() {
        StatusPublisher p = new StatusPublisher(N1, applied::get, FOLLOWER, 0, 0, 1, 0);
        List<ServerStatus> heard = new ArrayList<>();
        RaftListener broken = s -> {
            throw new IllegalStateException("listener bug");
        };
        p.addListener(broken);
        p.addListener(heard::add);
        p.softStateChanged(LEADER);
        p.publish(1, 1, 1, false);
        p.notifyListeners();
        assertThat(heard).singleElement().satisfies(s -> assertThat(s.role()).isEqualTo(Role.LEADER));
        p.removeListener(heard::add);
    }

    /**
     * The loop publishes a commit index and only then hands the entries up to it to the applier, which applies them
     * one by one on its own thread, while readers on other threads call status() as fast as they can.
     */
    @Test
    void underConcurrentLoadNoStatusShowsAppliedBeyondCommitOrGoesBack() throws Exception {
        StatusPublisher p = new StatusPublisher(N1, applied::get, LEADER, 0, 0, 1, 0);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong handedOver = new AtomicLong();
        long last = 200_000;
        try {
            Future<?> loop = threads.submit(() -> {
                for (long commit = 1; commit <= last; commit += 1 + (commit % 3)) {
                    p.publish(commit, 1, commit + 2, false);
                    handedOver.set(commit);
                }
                p.publish(last, 1, last + 2, false);
                handedOver.set(last);
            });
            Future<?> applier = threads.submit(() -> {
                while (applied.get() < last) {
                    if (applied.get() < handedOver.get()) {
                        applied.incrementAndGet();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            });
            List<Future<Long>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(threads.submit(() -> {
                    long checks = 0;
                    long previousApplied = 0;
                    while (!done.get()) {
                        ServerStatus s = p.status();
                        assertThat(s.appliedIndex()).as("applied <= commit in %s", s)
                                .isLessThanOrEqualTo(s.commitIndex());
                        assertThat(s.appliedIndex()).as("applied never goes back").isGreaterThanOrEqualTo(
                                previousApplied);
                        previousApplied = s.appliedIndex();
                        checks++;
                    }
                    return checks;
                }));
            }
            loop.get(60, TimeUnit.SECONDS);
            applier.get(60, TimeUnit.SECONDS);
            done.set(true);
            for (Future<Long> r : readers) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
            }
            assertThat(p.status().appliedIndex()).isEqualTo(last);
        } finally {
            done.set(true);
            threads.shutdownNow();
        }
    }
}
