package dev.keel.raft.testing.linearizability;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized tests. Histories generated from real registers with random concurrency must be accepted; the same
 * histories with one result corrupted in a way that provably breaks linearizability must be rejected; on tiny random
 * histories the checker must agree with a brute-force oracle; and no reduction the shrinker makes may turn a
 * linearizable history into a failing one.
 *
 * <p>Each run draws a fresh base seed and prints it; every failure message names the seed of the failing case.
 * {@code -Dkeel.lin.seed=S} replays exactly case S in every test.
 */
class LinearizabilityRandomizedTest {
    private static final String SEED_PROPERTY = "keel.lin.seed";
    private static final LinearizabilityChecker CHECKER = LinearizabilityChecker.builder()
            .timeBudget(Duration.ofSeconds(30)).build();
    /** A value no generated operation writes: generated writes count up from 1, never-written CAS values are < 0. */
    private static final long NEVER_WRITTEN = 1L << 50;

    private static long baseSeed;
    private static boolean replay;

    @BeforeAll
    static void chooseSeed() {
        String property = System.getProperty(SEED_PROPERTY);
        replay = property != null && !property.isBlank();
        baseSeed = replay ? Long.parseLong(property.trim()) : new SplittableRandom().nextLong() >>> 16;
        System.out.println("LinearizabilityRandomizedTest: " + (replay ? "replaying seed " : "base seed ") + baseSeed
                + " (replay a case with -D" + SEED_PROPERTY + "=<seed>)");
    }

    private static List<Long> seeds(int cases) {
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < (replay ? 1 : cases); i++) {
            seeds.add(baseSeed + i);
        }
        return seeds;
    }

    private static String replayHint(long seed) {
        return "seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")";
    }

    private static RandomRegisterHistory.Params randomParams(SplittableRandom r) {
        return new RandomRegisterHistory.Params(1 + r.nextInt(8), 1 + r.nextInt(4), 10 + r.nextInt(400),
                0.2 + 0.4 * r.nextDouble(), 0.3 * r.nextDouble(), 0.2 * r.nextDouble(), 0.1 * r.nextDouble(),
                1 + r.nextInt(100), r.nextInt(30));
    }

    @Test
    void historiesGeneratedFromARegisterWithRandomConcurrencyAreLinearizable() {
        for (long seed : seeds(300)) {
            RandomRegisterHistory.Generated g = RandomRegisterHistory.generate(seed,
                    randomParams(new SplittableRandom(seed)));
            CheckResult result = CHECKER.check(g.history(seed));
            assertThat(result.verdict()).as("%s, %s%n%s", replayHint(seed), g.params(), result.report())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Test
    void generatedHistoriesWithOneProvablyImpossibleResultAreRejected() {
        int corrupted = 0;
        List<Long> seeds = seeds(300);
        for (long seed : seeds) {
            SplittableRandom r = new SplittableRandom(seed);
            RandomRegisterHistory.Generated g = RandomRegisterHistory.generate(seed, randomParams(r));
            Optional<Corruption> corruption = Corruption.pick(g.operations(), r);
            if (corruption.isEmpty()) {
                continue;
            }
            corrupted++;
            Corruption c = corruption.get();
            CheckResult result = CHECKER.check(History.of(shuffled(c.operations(), seed)));
            String context = replayHint(seed) + ", " + c.description() + "\n" + result.report();
            assertThat(result.verdict()).as(context).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.failedKeys()).as(context).containsExactly(c.key());
            Violation violation = result.violation().orElseThrow();
            assertThat(violation.key()).as(context).isEqualTo(c.key());
            assertThat(violation.operations()).as(context).isNotEmpty();
            // The window is a witness on its own: checked as a history, it fails too.
            CheckResult window = CHECKER.check(windowHistory(violation));
            assertThat(window.verdict()).as("window of %s%n%s", context, window.report())
                    .isEqualTo(Verdict.NOT_LINEARIZABLE);
        }
        assertThat(corrupted).as("cases with an applicable corruption").isGreaterThanOrEqualTo(seeds.size() * 9 / 10);
    }

    /**
     * The window's operations as the report describes them: writes and successful CASes completing after its end,
     * or in flight at its start, count as UNKNOWN; the window lists no reads or failed CASes of either kind.
     */
    private static History windowHistory(Violation v) {
        List<Operation> ops = new ArrayList<>();
        for (Operation op : v.operations()) {
            if (op.isOk() && (op.completedAt().getAsLong() > v.to()
                    || (v.from().isPresent() && op.invokedAt() < v.from().getAsLong()))) {
                assertThat(op.kind() == Operation.Kind.WRITE || op.casSucceeded()).as("cut off: %s", op).isTrue();
                ops.add(op.asUnknown());
            } else {
                ops.add(op);
            }
        }
        return History.of(ops);
    }

    private static List<Operation> shuffled(List<Operation> ops, long seed) {
        List<Operation> copy = new ArrayList<>(ops);
        java.util.Collections.shuffle(copy, new java.util.Random(seed));
        return copy;
    }

    @Test
    void checkerAgreesWithBruteForceOnTinyRandomHistories() {
        int linearizable = 0;
        int violations = 0;
        for (long seed : seeds(4000)) {
            SplittableRandom r = new SplittableRandom(seed);
            List<Operation> ops = tinyRandomHistory(r);
            long initial = r.nextInt(3);
            boolean expected = new BruteForceLinearizability(ops, initial).linearizable();
            CheckResult result = LinearizabilityChecker.builder().initialValue(initial).build()
                    .check(History.of(ops));
            String context = String.format("%s, initial value %d%n%s%s", replayHint(seed), initial, History.of(ops),
                    result.report());
            assertThat(result.verdict()).as(context)
                    .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
            if (expected) {
                linearizable++;
                continue;
            }
            violations++;
            // The window must be a genuine witness: not linearizable from the initial value or, if it starts
            // later, from any value at all.
            Violation v = result.violation().orElseThrow();
            List<Operation> window = windowHistory(v).operations();
            List<Long> starts = v.from().isPresent() ? List.of(0L, 1L, 2L, 99L) : List.of(initial);
            for (long start : starts) {
                assertThat(new BruteForceLinearizability(window, start).linearizable())
                        .as("window from value %d of %s", start, context).isFalse();
            }
        }
        if (!replay) {
            System.out.println("brute-force comparison: " + linearizable + " linearizable, " + violations
                    + " not");
            assertThat(linearizable).as("linearizable cases").isGreaterThan(400);
            assertThat(violations).as("non-linearizable cases").isGreaterThan(400);
        }
    }

    @Test
    void checkerAgreesWithAPlainMemoisedSearchOnMutatedGeneratedHistories() {
        int linearizable = 0;
        int violations = 0;
        for (long seed : seeds(500)) {
            SplittableRandom r = new SplittableRandom(seed);
            RandomRegisterHistory.Params p = new RandomRegisterHistory.Params(2 + r.nextInt(4), 1, 10 + r.nextInt(30),
                    0.2 + 0.4 * r.nextDouble(), 0.4 * r.nextDouble(), 0.15 * r.nextDouble(), 0.1 * r.nextDouble(),
                    1 + r.nextInt(40), r.nextInt(10));
            List<Operation> ops = new ArrayList<>(RandomRegisterHistory.generate(seed, p).operations());
            if (r.nextInt(10) < 7) {
                mutateOneResult(ops, r);
            }
            boolean expected = new ReferenceLinearizability(ops, 0).linearizable();
            CheckResult result = CHECKER.check(History.of(ops));
            assertThat(result.verdict()).as("%s%n%s%s", replayHint(seed), History.of(ops), result.report())
                    .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
            if (expected) {
                linearizable++;
            } else {
                violations++;
            }
        }
        if (!replay) {
            System.out.println("reference comparison: " + linearizable + " linearizable, " + violations + " not");
            assertThat(linearizable).as("linearizable cases").isGreaterThan(100);
            assertThat(violations).as("non-linearizable cases").isGreaterThan(100);
        }
    }

    /** Changes one OK result to another plausible one: a value written elsewhere, or a CAS outcome flipped. */
    private static void mutateOneResult(List<Operation> ops, SplittableRandom r) {
        List<Integer> ok = new ArrayList<>();
        List<Long> values = new ArrayList<>(List.of(0L));
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            if (op.isOk() && op.kind() != Operation.Kind.WRITE) {
                ok.add(i);
            }
            if (op.kind() != Operation.Kind.READ) {
                values.add(op.value());
            }
        }
        if (ok.isEmpty()) {
            return;
        }
        int i = ok.get(r.nextInt(ok.size()));
        Operation op = ops.get(i);
        long completed = op.completedAt().getAsLong();
        ops.set(i, op.kind() == Operation.Kind.READ
                ? Operation.read(op.client(), op.key(), values.get(r.nextInt(values.size())), op.invokedAt(), completed)
                : Operation.cas(op.client(), op.key(), op.expected(), op.value(), !op.casSucceeded(), op.invokedAt(),
                completed));
    }

    /** Up to 7 operations on one key, values 0..2, random times, results and outcomes. */
    private static List<Operation> tinyRandomHistory(SplittableRandom r) {
        int n = 1 + r.nextInt(7);
        List<Operation> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long invoked = r.nextInt(20);
            long completed = invoked + r.nextInt(8);
            long value = r.nextInt(3);
            Operation op = switch (r.nextInt(3)) {
                case 0 -> Operation.read(i, "x", value, invoked, completed);
                case 1 -> Operation.write(i, "x", value, invoked, completed);
                default -> Operation.cas(i, "x", r.nextInt(3), value, r.nextBoolean(), invoked, completed);
            };
            int outcome = r.nextInt(10);
            ops.add(outcome < 2 ? op.asUnknown() : outcome < 3 ? op.asPending() : outcome < 4 ? op.asFailed() : op);
        }
        return ops;
    }

    @Test
    void noShrinkingStepTurnsALinearizableHistoryIntoAFailingOne() {
        for (long seed : seeds(100)) {
            SplittableRandom r = new SplittableRandom(seed);
            RandomRegisterHistory.Params p = randomParams(r);
            RandomRegisterHistory.Params oneKey = new RandomRegisterHistory.Params(p.clients(), 1,
                    Math.min(p.operations(), 120), p.readShare(), p.casShare(), p.unknownRate(), p.failRate(),
                    p.maxLatency(), p.maxThink());
            RandomRegisterHistory.Generated g = RandomRegisterHistory.generate(seed, oneKey);
            KeyHistory key = KeyHistory.prepare(RandomRegisterHistory.key(0), 0, g.operations());
            Shrinker shrinker = new Shrinker(key, Budget.startingNow(Duration.ofSeconds(30).toNanos(), 1L << 30));
            assertThat(shrinker.fails(new Shrinker.Window(key.all(), KeyHistory.OPEN, Shrinker.FROM_START)))
                    .as(replayHint(seed)).isFalse();
            Shrinker.Window whole = new Shrinker.Window(key.all(), KeyHistory.OPEN, Shrinker.FROM_START);
            for (int probe = 0; probe < 15 && key.size() > 0; probe++) {
                int m = r.nextInt(key.size());
                if (key.completedAt[m] == KeyHistory.OPEN) {
                    continue;
                }
                Shrinker.Window cut = shrinker.dropUnobservedOpen(shrinker.endingAt(whole, key.completedAt[m]));
                assertThat(shrinker.fails(cut)).as("%s: cut at %d", replayHint(seed), key.completedAt[m]).isFalse();
                List<Long> starts = shrinker.validStarts(cut);
                for (int s = 0; s < 15 && !starts.isEmpty(); s++) {
                    long start = starts.get(r.nextInt(starts.size()));
                    Shrinker.Window window = shrinker.dropUnobservedOpen(shrinker.startingAt(cut, start));
                    assertThat(shrinker.fails(window)).as("%s: cut at %d, start at %d", replayHint(seed),
                            key.completedAt[m], start).isFalse();
                }
            }
        }
    }

    /**
     * One result changed so that no linearization can exist, whatever the concurrency: each kind states why.
     *
     * @param description what was changed, for failure messages
     * @param key         the key of the changed operation
     * @param operations  the history with the change
     */
    private record Corruption(String description, String key, List<Operation> operations) {

        static Optional<Corruption> pick(List<Operation> ops, SplittableRandom r) {
            List<Function<List<Operation>, Optional<Corruption>>> kinds = new ArrayList<>(List.of(
                    ops1 -> readOfAValueNeverWritten(ops1, r),
                    ops1 -> staleRead(ops1, r),
                    ops1 -> casSuccessDenied(ops1, r),
                    ops1 -> casFailureClaimedAsSuccess(ops1, r),
                    ops1 -> twoCasesConsumeOneValue(ops1, r)));
            java.util.Collections.shuffle(kinds, new java.util.Random(r.nextLong()));
            for (Function<List<Operation>, Optional<Corruption>> kind : kinds) {
                Optional<Corruption> c = kind.apply(ops);
                if (c.isPresent()) {
                    return c;
                }
            }
            return Optional.empty();
        }

        private static Corruption replace(String description, List<Operation> ops, Operation old, Operation now) {
            List<Operation> changed = new ArrayList<>(ops);
            changed.set(ops.indexOf(old), now);
            return new Corruption(description + ": " + old + " became " + now, old.key(), changed);
        }

        private static <T> Optional<T> any(List<T> candidates, SplittableRandom r) {
            return candidates.isEmpty() ? Optional.empty()
                    : Optional.of(candidates.get(r.nextInt(candidates.size())));
        }

        private static boolean isOk(Operation op, Operation.Kind kind) {
            return op.isOk() && op.kind() == kind;
        }

        /** An OK operation that certainly changed the register. */
        private static boolean certainlyWrote(Operation op) {
            return isOk(op, Operation.Kind.WRITE) || (isOk(op, Operation.Kind.CAS) && op.casSucceeded());
        }

        private static long completed(Operation op) {
            return op.completedAt().getAsLong();
        }

        /** No operation writes the value, and it is not the initial value. */
        static Optional<Corruption> readOfAValueNeverWritten(List<Operation> ops, SplittableRandom r) {
            return any(ops.stream().filter(op -> isOk(op, Operation.Kind.READ)).toList(), r)
                    .map(read -> replace("read of a value never written", ops, read,
                            Operation.read(read.client(), read.key(), NEVER_WRITTEN, read.invokedAt(),
                                    completed(read))));
        }

        /**
         * The read returns the value of a write W1 that was certainly overwritten by a write W2 before the read
         * began (W1 completed before W2 was invoked, W2 completed before the read was invoked). Values are unique,
         * so only W1 writes it, and W1 precedes W2 precedes the read in every linearization.
         */
        static Optional<Corruption> staleRead(List<Operation> ops, SplittableRandom r) {
            List<Operation[]> candidates = new ArrayList<>();
            for (Operation read : ops) {
                if (!isOk(read, Operation.Kind.READ)) {
                    continue;
                }
                for (Operation w2 : ops) {
                    if (!w2.key().equals(read.key()) || !certainlyWrote(w2) || completed(w2) >= read.invokedAt()) {
                        continue;
                    }
                    for (Operation w1 : ops) {
                        if (w1.key().equals(read.key()) && certainlyWrote(w1) && completed(w1) < w2.invokedAt()) {
                            candidates.add(new Operation[] {read, w1});
                        }
                    }
                }
                if (candidates.size() > 50) {
                    break;
                }
            }
            return any(candidates, r).map(c -> replace("stale read (value of an overwritten write)", ops, c[0],
                    Operation.read(c[0].client(), c[0].key(), c[1].value(), c[0].invokedAt(), completed(c[0]))));
        }

        /**
         * A successful CAS whose new value someone observed (an OK read returned it, or a successful CAS expected
         * it) now reports failure: nothing else writes that value, so the observation has no source.
         */
        static Optional<Corruption> casSuccessDenied(List<Operation> ops, SplittableRandom r) {
            List<Operation> candidates = ops.stream()
                    .filter(c -> isOk(c, Operation.Kind.CAS) && c.casSucceeded())
                    .filter(c -> ops.stream().anyMatch(o -> o != c && o.key().equals(c.key())
                            && ((isOk(o, Operation.Kind.READ) && o.value() == c.value())
                            || (isOk(o, Operation.Kind.CAS) && o.casSucceeded() && o.expected() == c.value()))))
                    .toList();
            return any(candidates, r).map(c -> replace("successful CAS whose value was observed reports failure",
                    ops, c, Operation.cas(c.client(), c.key(), c.expected(), c.value(), false, c.invokedAt(),
                            completed(c))));
        }

        /** A failed CAS that expected a value never written (negative) now claims success. */
        static Optional<Corruption> casFailureClaimedAsSuccess(List<Operation> ops, SplittableRandom r) {
            return any(ops.stream().filter(c -> isOk(c, Operation.Kind.CAS) && !c.casSucceeded() && c.expected() < 0)
                    .toList(), r)
                    .map(c -> replace("CAS on a value never written claims success", ops, c,
                            Operation.cas(c.client(), c.key(), c.expected(), c.value(), true, c.invokedAt(),
                                    completed(c))));
        }

        /**
         * A failed CAS now claims to have swapped the same expected value as another successful CAS on its key.
         * That value is written at most once (values are unique; 0 only initially), and each CAS replaces it by a
         * new unique value, so only one of them can find it.
         */
        static Optional<Corruption> twoCasesConsumeOneValue(List<Operation> ops, SplittableRandom r) {
            List<Operation[]> candidates = new ArrayList<>();
            for (Operation winner : ops) {
                if (!isOk(winner, Operation.Kind.CAS) || !winner.casSucceeded()) {
                    continue;
                }
                for (Operation loser : ops) {
                    if (loser != winner && loser.key().equals(winner.key()) && isOk(loser, Operation.Kind.CAS)
                            && !loser.casSucceeded()) {
                        candidates.add(new Operation[] {winner, loser});
                    }
                }
            }
            return any(candidates, r).map(c -> replace("second CAS succeeding on the value " + c[0].expected()
                    + " that " + c[0] + " swapped", ops, c[1], new Operation(c[1].client(), c[1].key(),
                    Operation.Kind.CAS, c[1].value(), c[0].expected(), true, c[1].invokedAt(),
                    OptionalLong.of(completed(c[1])), Operation.Outcome.OK)));
        }
    }
}
