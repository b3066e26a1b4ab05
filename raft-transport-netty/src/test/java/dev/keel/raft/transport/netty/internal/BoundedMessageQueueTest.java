package dev.keel.raft.transport.netty.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedMessageQueueTest {

    @Test
    void offersBeyondTheCapacityAreRefusedAndPollingMakesRoomAgain() {
        BoundedMessageQueue<Integer> q = new BoundedMessageQueue<>(2);
        assertThat(q.offer(1)).isTrue();
        assertThat(q.offer(2)).isTrue();
        assertThat(q.offer(3)).isFalse();
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.offer(4)).isTrue();
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.clear()).isEqualTo(2);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.poll()).isNull();
    }

    @Test
    void concurrentProducersNeverExceedTheBoundAndLoseNothingAccepted() throws InterruptedException {
        BoundedMessageQueue<Integer> q = new BoundedMessageQueue<>(1000);
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int base = t * 1000;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (q.offer(base + i)) {
                        accepted.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(accepted.get()).isEqualTo(1000);
        Set<Integer> seen = new HashSet<>();
        for (Integer i; (i = q.poll()) != null; ) {
            seen.add(i);
        }
        assertThat(seen).hasSize(1000);
    }
}
