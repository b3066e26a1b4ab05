package dev.keel.raft.testing.linearizability;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decides whether the operations on one register can be linearized: the search of Wing and Gong as improved by Lowe
 * ("Testing for linearizability", 2017), with his memo of (linearized set, state) pairs.
 *
 * <p>The operations' invocations and completions form one doubly linked list of events in time order (at equal
 * times invocations come first, since equal times are concurrent). The search walks the list from the start, trying
 * each invoked operation as the next one to take effect; one that is legal in the current state, and leads to a
 * pair not seen before, is "lifted" out of the list (its invocation and completion unlinked) and pushed on a stack.
 * Reaching a completion means the operation it belongs to was not linearized in time, so the search pops the last
 * choice, relinks it and tries the next candidate after it. It succeeds when no completion is left in the list.
 *
 * <p>UNKNOWN operations (and operations the caller cuts off at {@code cut}) have no completion: they are invoked and
 * never return, so the search may linearize them anywhere after their invocation or leave them out.
 *
 * <p>These reductions keep the search small without changing its answer:
 * <ul>
 *   <li>Values are renumbered, so a state is an int, and values that no operation tells apart (none reads them,
 *       no CAS expects them) share one number: a register holding either behaves the same for every operation, and
 *       the memo then recognises states reached through different writes of never-read values as one.</li>
 *   <li>UNKNOWN operations that do the same thing (same kind, value and expected value, after renumbering) are
 *       interchangeable once invoked, since none has a deadline: the search linearizes them in invocation order
 *       only. Any linearization can be rearranged so that the earliest invoked one is used first.</li>
 *   <li>An UNKNOWN operation that would not change the state is not linearized: leaving it out of a linearization
 *       changes nothing.</li>
 *   <li>An UNKNOWN operation is only linearized right before an operation that could not happen without it (one
 *       illegal in the state before it). Any linearization can be put in that form: an UNKNOWN operation followed
 *       by one that does not need it can be moved after it (it has no deadline) or, if that one overwrites it,
 *       left out. This keeps pending UNKNOWN operations from being tried at every point; a state of {@link #ANY}
 *       admits everything, so no UNKNOWN operation is linearized from it. The memo then records, with the
 *       register's state, the state before a pending UNKNOWN operation, since the search's future depends on it.
 *       Before trying an UNKNOWN operation, the search checks that some enabled operation could need it.</li>
 *   <li>A read or failed CAS that is legal in the current state (not {@link #ANY}) is linearized at once, without
 *       trying the alternatives: it never changes the state, so any way to finish the history without taking it
 *       now also works after taking it now. If taking it now fails, the search backs off a level further.</li>
 * </ul>
 *
 * <p>A state of {@link #ANY} stands for "any value" (used when a report's window starts in the middle of the
 * history); it is an over-approximation, which is safe there because a window is only reported if it fails even
 * so.
 *
 * <p>Deterministic: the same input explores the same states in the same order. Not thread-safe; one search per
 * instance.
 */
final class WglSearch {
    /** How a search ended. */
    enum Status {
        LINEARIZABLE, NOT_LINEARIZABLE, OUT_OF_TIME, OUT_OF_MEMORY
    }

    /**
     * The result of one search.
     *
     * @param status   how it ended
     * @param frontier for NOT_LINEARIZABLE, the latest completion any branch reached: cutting the history there still
     *                 fails
     * @param states   the number of (linearized set, state) pairs visited
     */
    record Result(Status status, long frontier, long states) {
    }

    /** A search from the start of the history, with the register's initial value. */
    static final long FROM_START = Long.MIN_VALUE;
    static final int ANY = -1;
    private static final int ILLEGAL = -2;
    /** No UNKNOWN operation awaits an operation that needs it. */
    private static final int NO_OBLIGATION = -3;

    private static final byte READ = 0;
    private static final byte WRITE = 1;
    /** A CAS that took effect (OK and succeeded), or may have (UNKNOWN): needs the expected value, sets the new. */
    private static final byte SWAP = 2;
    /** An OK CAS that did not take effect: needs any value but the expected one. */
    private static final byte NO_SWAP = 3;

    private static final int HEAD = 0;
    /** No event: {@link #backtrack()} found no choice left to undo. */
    private static final int NO_EVENT = -1;
    private static final int STEPS_BETWEEN_BUDGET_CHECKS = 4096;

    private final int n;
    private final byte[] type;
    private final int[] arg;
    private final int[] expected;
    private final int initialState;
    /** The bit of each operation: those that must be linearized first, then (from a word boundary) UNKNOWN ones. */
    private final int[] bit;
    private final int words;
    private final int splitWord;
    /** For an UNKNOWN operation, the previous one invoked that does the same thing, or -1. */
    private final int[] previousAlike;
    private final boolean[] open;
    private final int[] callEvent;
    private final int[] returnEvent;
    private final int returns;
    private final int tail;
    private final int[] next;
    private final int[] prev;
    /** For an event: its operation, as {@code op} for an invocation and {@code ~op} for a completion. */
    private final int[] eventOp;
    private final long[] eventTime;
    private final long[] zobrist;
    private final Budget budget;

    // The search's position, in fields so that its steps can be methods; run() sets it up afresh.
    /** The linearized set, one bit per operation (see {@link #bit}), and its Zobrist hash. */
    private long[] linearized;
    private long linearizedHash;
    /** The register's state after the linearized operations. */
    private int currentState;
    /** The choices made, latest on top: the operation, the state before it, whether it was forced. */
    private int[] stackOp;
    private int[] stackState;
    private boolean[] stackForced;
    private int depth;
    /** The state before the UNKNOWN operation on top of the stack, which the next operation must need. */
    private int obligation;
    /** Completions left in the list; the search succeeds when none is. */
    private int remaining;

    /** Values that enabled operations could need an UNKNOWN operation to provide: marked with the current stamp. */
    private final int[] neededStamp;
    private int stamp;
    private boolean summaryValid;
    /** Whether an enabled failed CAS is blocked by the current value (any change of value would unblock it). */
    private boolean failedCasBlocked;

    /**
     * Prepares a search over some of a key's operations.
     *
     * @param history    the key's operations
     * @param members    indices into {@code history} of the operations to consider, ascending
     * @param cut        operations invoked after this time are ignored; writes and successful CASes completing
     *                   after it are treated as UNKNOWN; reads and failed CASes completing after it are ignored
     *                   (they change nothing, and their results need not hold before the cut)
     * @param from       {@link #FROM_START}, or a time from which the register starts with any value; operations
     *                   invoked before it are treated as if completing after the cut
     * @param budget     the limits to stop at
     */
    WglSearch(KeyHistory history, int[] members, long cut, long from, Budget budget) {
        this.budget = budget;
        Selection selection = select(history, members, cut, from);
        int[] selected = selection.ops();
        this.n = selected.length;
        this.open = selection.open();
        this.type = new byte[n];
        this.arg = new int[n];
        this.expected = new int[n];
        Set<Long> distinguished = distinguishedValues(history, selected);
        Map<Long, Integer> ids = new HashMap<>();
        // The initial value is numbered first, then the operations' values in order.
        this.initialState = from != FROM_START ? ANY : id(ids, distinguished, history.initialValue);
        this.returns = encodeOperations(history, selected, ids, distinguished);
        this.neededStamp = new int[ids.size() + 1];

        this.bit = new int[n];
        this.previousAlike = new int[n];
        int openBase = (returns + 63) & ~63;
        int openCount = assignBits(openBase);
        this.splitWord = openBase >>> 6;
        this.words = (openBase + openCount + 63) >>> 6;

        int events = n + returns;
        this.tail = events + 1;
        this.next = new int[events + 2];
        this.prev = new int[events + 2];
        this.eventOp = new int[events + 2];
        this.eventTime = new long[events + 2];
        this.callEvent = new int[n];
        this.returnEvent = new int[n];
        linkEvents(history, selected, events);
        this.zobrist = zobristKeys(n);
    }

    /**
     * The operations a search considers, as indices into the history in the order of {@code members}, and whether
     * each is open (has no completion the search must respect).
     */
    private record Selection(int[] ops, boolean[] open) {
    }

    /**
     * Picks the members invoked by {@code cut}; an operation is open if it never completed, completed after the cut
     * or was invoked before {@code from}, and an open one that changes nothing is left out.
     */
    private static Selection select(KeyHistory history, int[] members, long cut, long from) {
        int[] selected = new int[members.length];
        boolean[] isOpenOp = new boolean[members.length];
        int count = 0;
        for (int m : members) {
            if (history.invokedAt[m] > cut) {
                continue;
            }
            boolean isOpen = history.completedAt[m] == KeyHistory.OPEN || history.completedAt[m] > cut
                    || history.invokedAt[m] < from;
            if (isOpen && changesNothing(history.ops[m])) {
                continue;
            }
            isOpenOp[count] = isOpen;
            selected[count++] = m;
        }
        return new Selection(Arrays.copyOf(selected, count), Arrays.copyOf(isOpenOp, count));
    }

    /** The values some selected operation tells apart from others: those read, and those a CAS expects. */
    private static Set<Long> distinguishedValues(KeyHistory history, int[] selected) {
        Set<Long> distinguished = new HashSet<>();
        for (int m : selected) {
            Operation op = history.ops[m];
            if (op.kind() == Operation.Kind.READ) {
                distinguished.add(op.value());
            } else if (op.kind() == Operation.Kind.CAS) {
                distinguished.add(op.expected());
            }
        }
        return distinguished;
    }

    /**
     * Fills in each operation's type and renumbered values (an open CAS may have swapped, so it counts as one that
     * did).
     *
     * @return the number of operations with a completion
     */
    private int encodeOperations(KeyHistory history, int[] selected, Map<Long, Integer> ids,
                                 Set<Long> distinguished) {
        int returnCount = 0;
        for (int i = 0; i < n; i++) {
            Operation op = history.ops[selected[i]];
            switch (op.kind()) {
                case READ -> {
                    type[i] = READ;
                    arg[i] = id(ids, distinguished, op.value());
                }
                case WRITE -> {
                    type[i] = WRITE;
                    arg[i] = id(ids, distinguished, op.value());
                }
                case CAS -> {
                    type[i] = open[i] || op.casSucceeded() ? SWAP : NO_SWAP;
                    arg[i] = id(ids, distinguished, op.value());
                    expected[i] = id(ids, distinguished, op.expected());
                }
            }
            if (!open[i]) {
                returnCount++;
            }
        }
        return returnCount;
    }

    /**
     * Gives each operation its bit in the linearized set (completed ones from 0, open ones from {@code openBase}) and
     * links each open operation to the previous open one that does the same thing.
     *
     * @return the number of open operations
     */
    private int assignBits(int openBase) {
        Map<Long, Integer> lastAlike = new HashMap<>();
        int closedSeen = 0;
        int openSeen = 0;
        for (int i = 0; i < n; i++) {
            previousAlike[i] = -1;
            if (open[i]) {
                bit[i] = openBase + openSeen++;
                long signature = ((long) type[i] << 62) | ((long) arg[i] << 31) | expected[i];
                Integer before = lastAlike.put(signature, i);
                previousAlike[i] = before == null ? -1 : before;
            } else {
                bit[i] = closedSeen++;
            }
        }
        return openSeen;
    }

    /**
     * Builds the doubly linked list of the operations' invocations and completions in time order, between
     * {@link #HEAD} and {@link #tail}, and records where each operation's events are.
     */
    private void linkEvents(KeyHistory history, int[] selected, int events) {
        long[] times = new long[events];
        int[] ops = new int[events];
        int e = 0;
        for (int i = 0; i < n; i++) {
            times[e] = history.invokedAt[selected[i]];
            ops[e++] = i;
            if (!open[i]) {
                times[e] = history.completedAt[selected[i]];
                ops[e++] = ~i;
            }
        }
        Integer[] order = timeOrder(times, ops);
        Arrays.fill(returnEvent, -1);
        for (int i = 0; i < events; i++) {
            int node = i + 1;
            int op = ops[order[i]];
            eventOp[node] = op;
            eventTime[node] = times[order[i]];
            if (op >= 0) {
                callEvent[op] = node;
            } else {
                returnEvent[~op] = node;
            }
        }
        for (int node = 0; node <= events; node++) {
            next[node] = node + 1;
            prev[node + 1] = node;
        }
    }

    /**
     * The events' positions sorted by time; at equal times invocations first (equal times are concurrent); then by
     * operation.
     */
    private static Integer[] timeOrder(long[] times, int[] ops) {
        Integer[] order = new Integer[times.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Long.compare(times[a], times[b]);
            if (c != 0) {
                return c;
            }
            boolean ra = ops[a] < 0;
            boolean rb = ops[b] < 0;
            if (ra != rb) {
                return ra ? 1 : -1;
            }
            return Integer.compare(ra ? ~ops[a] : ops[a], rb ? ~ops[b] : ops[b]);
        });
        return order;
    }

    /** A random key per operation, so a linearized set hashes to the XOR of its members' keys; fixed seed. */
    private static long[] zobristKeys(int n) {
        long[] keys = new long[n];
        SplittableRandom random = new SplittableRandom(0x6B65656C4C494EL);
        for (int i = 0; i < n; i++) {
            keys[i] = random.nextLong();
        }
        return keys;
    }

    /**
     * Whether an operation cut off in flight can be left out: a read, or an OK CAS that did not swap. (Treating the
     * latter as UNKNOWN would be wrong: it could then swap, which the history rules out.)
     */
    static boolean changesNothing(Operation op) {
        return op.kind() == Operation.Kind.READ
                || (op.kind() == Operation.Kind.CAS && op.isOk() && !op.casSucceeded());
    }

    /** Number of operations the search considers. */
    int size() {
        return n;
    }

    /** Runs the search to a verdict or until the budget runs out. */
    Result run() {
        StateCache cache = new StateCache(n + 1, budget.memoryLimitBytes(), splitWord);
        startFromScratch();
        long frontier = Long.MIN_VALUE;
        int untilBudgetCheck = STEPS_BETWEEN_BUDGET_CHECKS;
        int e = next[HEAD];
        while (remaining > 0) {
            if (--untilBudgetCheck == 0) {
                untilBudgetCheck = STEPS_BETWEEN_BUDGET_CHECKS;
                if (budget.exhausted()) {
                    return new Result(Status.OUT_OF_TIME, frontier, cache.size());
                }
            }
            int op = eventOp[e];
            if (op >= 0) {
                int after = candidateStep(op);
                if (after == ILLEGAL) {
                    e = next[e];
                    continue;
                }
                // A read or failed CAS that is legal now changes nothing, here or anywhere: taking it now is at least
                // as good as any alternative, so if that fails, this whole configuration fails. (Not so for a write
                // that happens to leave the state as it is: later it might not.)
                boolean forced = after == currentState && (type[op] == READ || type[op] == NO_SWAP);
                int obligationAfter = open[op] ? currentState : NO_OBLIGATION;
                addToLinearized(op);
                int added = cache.add(linearized, linearizedHash,
                        ((long) obligationAfter << 32) | (after & 0xFFFFFFFFL));
                if (added == StateCache.ADDED) {
                    push(op, after, obligationAfter, forced);
                    e = next[HEAD];
                    continue;
                }
                if (added == StateCache.FULL) {
                    return new Result(Status.OUT_OF_MEMORY, frontier, cache.size());
                }
                removeFromLinearized(op);
                if (!forced) {
                    e = next[e];
                    continue;
                }
            } else {
                // The operation completing here was not linearized before its completion.
                frontier = Math.max(frontier, eventTime[e]);
            }
            e = backtrack();
            if (e == NO_EVENT) {
                return new Result(Status.NOT_LINEARIZABLE, frontier, cache.size());
            }
        }
        return new Result(Status.LINEARIZABLE, frontier, cache.size());
    }

    /** Sets the search's position to the start: nothing linearized, the register in its initial state. */
    private void startFromScratch() {
        linearized = new long[words];
        linearizedHash = 0;
        currentState = initialState;
        stackOp = new int[n];
        stackState = new int[n];
        stackForced = new boolean[n];
        depth = 0;
        obligation = NO_OBLIGATION;
        remaining = returns;
        summaryValid = false;
    }

    /**
     * The state after linearizing the invoked operation {@code op} next, or {@link #ILLEGAL} if it cannot be (it is
     * illegal in the current state) or need not be tried here: it would be legal without the UNKNOWN operation on top
     * of the stack (which is only linearized right before one that needs it), or {@code op} is itself an UNKNOWN
     * operation that changes nothing, has an alike one invoked before it not yet linearized, or is needed by no
     * enabled operation.
     */
    private int candidateStep(int op) {
        int after = step(currentState, op);
        boolean unneeded = obligation != NO_OBLIGATION && step(obligation, op) != ILLEGAL;
        boolean pointless = open[op] && after != ILLEGAL
                && (after == currentState || !firstOfItsKind(op) || !needed(after, currentState));
        return unneeded || pointless ? ILLEGAL : after;
    }

    /** Linearizes {@code op} next: pushes the choice and lifts the operation's events out of the list. */
    private void push(int op, int after, int obligationAfter, boolean forced) {
        stackOp[depth] = op;
        stackState[depth] = currentState;
        stackForced[depth] = forced;
        depth++;
        currentState = after;
        obligation = obligationAfter;
        summaryValid = false;
        lift(op);
        if (returnEvent[op] >= 0) {
            remaining--;
        }
    }

    /**
     * Undoes the last choice, and the one before it too while the one undone was forced.
     *
     * @return the event after the invocation of the last operation undone, from which the search tries the next
     *         candidate; {@link #NO_EVENT} if no choice was left to undo (the history is not linearizable)
     */
    private int backtrack() {
        int e;
        boolean undoAnother;
        do {
            if (depth == 0) {
                return NO_EVENT;
            }
            depth--;
            int undone = stackOp[depth];
            currentState = stackState[depth];
            removeFromLinearized(undone);
            unlift(undone);
            if (returnEvent[undone] >= 0) {
                remaining++;
            }
            e = next[callEvent[undone]];
            obligation = depth > 0 && open[stackOp[depth - 1]] ? stackState[depth - 1] : NO_OBLIGATION;
            summaryValid = false;
            undoAnother = stackForced[depth];
        } while (undoAnother);
        return e;
    }

    private void addToLinearized(int op) {
        linearized[bit[op] >>> 6] |= 1L << bit[op];
        linearizedHash ^= zobrist[op];
    }

    private void removeFromLinearized(int op) {
        linearized[bit[op] >>> 6] &= ~(1L << bit[op]);
        linearizedHash ^= zobrist[op];
    }

    /**
     * Whether an operation enabled in the current configuration could need an UNKNOWN operation that changes the
     * value from {@code state} to {@code after}: one that reads or expects {@code after}, or a failed CAS that
     * {@code state} forbids. The summary is computed once per configuration.
     */
    private boolean needed(int after, int state) {
        if (!summaryValid) {
            stamp++;
            failedCasBlocked = false;
            for (int c = next[HEAD]; c != tail && eventOp[c] >= 0; c = next[c]) {
                int x = eventOp[c];
                if (type[x] == READ) {
                    neededStamp[arg[x]] = stamp;
                } else if (type[x] == SWAP) {
                    neededStamp[expected[x]] = stamp;
                } else if (type[x] == NO_SWAP && expected[x] == state) {
                    failedCasBlocked = true;
                }
            }
            summaryValid = true;
        }
        return failedCasBlocked || neededStamp[after] == stamp;
    }

    /** Whether every UNKNOWN operation alike to {@code op} and invoked before it is linearized already. */
    private boolean firstOfItsKind(int op) {
        int before = previousAlike[op];
        return before < 0 || (linearized[bit[before] >>> 6] & (1L << bit[before])) != 0;
    }

    private int step(int state, int op) {
        return switch (type[op]) {
            case READ -> state == arg[op] || state == ANY ? arg[op] : ILLEGAL;
            case WRITE -> arg[op];
            case SWAP -> state == expected[op] || state == ANY ? arg[op] : ILLEGAL;
            case NO_SWAP -> state != expected[op] ? state : ILLEGAL;
            default -> throw new IllegalStateException("operation type " + type[op]);
        };
    }

    private void lift(int op) {
        unlink(callEvent[op]);
        if (returnEvent[op] >= 0) {
            unlink(returnEvent[op]);
        }
    }

    private void unlift(int op) {
        // Relink in the reverse order of lift, so each node's neighbours are the ones it had.
        if (returnEvent[op] >= 0) {
            relink(returnEvent[op]);
        }
        relink(callEvent[op]);
    }

    private void unlink(int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private void relink(int node) {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    /** The number of a value: 0 for every value no operation tells apart, 1.. for the others. */
    private static int id(Map<Long, Integer> ids, Set<Long> distinguished, long value) {
        if (!distinguished.contains(value)) {
            return 0;
        }
        Integer id = ids.get(value);
        if (id == null) {
            id = ids.size() + 1;
            ids.put(value, id);
        }
        return id;
    }
}
