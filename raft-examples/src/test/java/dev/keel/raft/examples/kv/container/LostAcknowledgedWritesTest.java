package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.linearizability.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The nemesis test's lost-write check, on hand-made histories (final reads are clients 1000 and up). */
class LostAcknowledgedWritesTest {
    private static final Operation FIRST = Operation.write(1, "k", 11, 0, 10);
    private static final Operation SECOND = Operation.write(2, "k", 22, 20, 30);

    @Test
    void theLastAcknowledgedValueReadAtTheEndIsNotALoss() {
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST, SECOND, finalRead(22)))).isEmpty();
    }

    @Test
    void aValueOverwrittenBeforeTheLastAcknowledgedWriteBeganMeansThatWriteWasLost() {
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST, SECOND, finalRead(11))))
                .singleElement().asString().startsWith("acknowledged write lost: client 2 WRITE k 22");
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST, SECOND, finalRead(0))))
                .singleElement().asString().contains("a value nobody wrote");
    }

    @Test
    void aConcurrentOrUnknownWriteMayBeTheLastOne() {
        Operation concurrent = Operation.write(3, "k", 33, 25, 28);
        Operation unknown = Operation.write(4, "k", 44, 5, 6).asUnknown();
        Operation failedCas = Operation.cas(5, "k", 22, 55, false, 40, 41).asFailed();
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST, SECOND, concurrent, finalRead(33)))).isEmpty();
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST, SECOND, unknown, finalRead(44)))).isEmpty();
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST, SECOND, failedCas, finalRead(55))))
                .singleElement().asString().contains("a value nobody wrote");
    }

    @Test
    void aKeyWithAnAcknowledgedWriteButNoFinalReadIsReported() {
        assertThat(KvNemesisIT.lostAcknowledgedWrites(List.of(FIRST))).containsExactly("no final read of k");
    }

    private static Operation finalRead(long value) {
        return Operation.read(1000, "k", value, 100, 110);
    }
}
