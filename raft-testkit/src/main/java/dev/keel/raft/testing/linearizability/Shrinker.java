package dev.keel.raft.testing.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shrinks a key's failing history to a small window that still cannot be linearized, for the report.
 *
 * <p>Every reduction is sound: if the reduced history cannot be linearized, neither can the one it came from, so the
 * window reported is a genuine witness and not an artefact of the shrinking.
 * <ul>
 *   <li><b>Cut at time t</b>: drop the operations invoked after t, treat the writes and successful CASes still
 *       in flight at t as UNKNOWN, and drop the reads and failed CASes in flight (they change nothing). A
 *       linearization of the whole restricted to the operations that took effect by t is one of the cut history.
 *       Conversely the cut history allows exactly the behaviours the whole allows up to t, so the latest completion
 *       the failed search reached is a failing cut. Failing is monotone in t, so the earliest failing t is found by
 *       binary search over completion times below that.</li>
 *   <li><b>Start at time s</b>: drop the OK operations that completed before s, and the reads and failed CASes
 *       in flight at s; treat the writes and successful CASes in flight at s as UNKNOWN; let the register start
 *       with any value. This is sound in three steps: dropping reads and failed CASes is (see below); an OK
 *       operation treated as UNKNOWN only allows more; and once no OK operation is in flight at s, the ones that
 *       completed before s precede all others in every linearization, so what remains is a suffix of it, starting
 *       from some value. The latest failing s is found by binary search over invocation times (every probe is
 *       checked, so the window is sound even where failing is not monotone in s).</li>
 *   <li><b>Drop an UNKNOWN write or CAS whose value nobody in the window observes</b>, as {@link KeyHistory}
 *       does for the whole history (no search needed).</li>
 *   <li><b>Drop an OK read or an OK failed CAS</b>: they do not change the register, so a linearization stays one
 *       without them.</li>
 *   <li><b>Drop an OK write or successful CAS whose value nobody in the window observes</b>, when no failed CAS of
 *       the window could follow it: as for UNKNOWN ones, a linearization stays one without it (the converse does
 *       not hold, which is why the checker itself keeps them).</li>
 * </ul>
 * The last two are tried in chunks, then singly (delta debugging), each kept only if the window still fails.
 * Best effort within its budget: when the budget runs out it returns the smallest failing window found so far.
 */
final class Shrinker {
    /** {@link Window#from} when the window starts at the beginning of the history, from the initial value. */
    static final long FROM_START = WglSearch.FROM_START;

    /**
     * A failing part of a key's history.
     *
     * @param members indices into the key history, ascending
     * @param cut     operations completing after this are treated as UNKNOWN; {@link KeyHistory#OPEN} for none
     * @param from    where the window starts (the register then holds any value), or {@link #FROM_START}
     */
    record Window(int[] members, long cut, long from) {
        boolean startsAnywhere() {
            return from != FROM_START;
        }
    }

    private final KeyHistory history;
    private final Budget budget;
    private boolean outOfBudget;

    Shrinker(KeyHistory history, Budget budget) {
        this.history = history;
        this.budget = budget;
    }

    /**
     * Shrinks the key's history, which is known to fail.
     *
     * @param frontier the latest completion the failing search reached, or {@link Long#MIN_VALUE} if unknown
     */
    Window shrink(long frontier) {
        Window window = new Window(history.all(), KeyHistory.OPEN, FROM_START);
        window = cutEnd(window, frontier);
        window = cutStart(dropUnobservedOpen(window));
        return dropUnneeded(window);
    }

    /** Whether the window cannot be linearized; {@code false} (and stop shrinking) if the budget ran out. */
    boolean fails(Window window) {
        if (outOfBudget || budget.exhausted()) {
            outOfBudget = true;
            return false;
        }
        WglSearch.Result result = new WglSearch(history, window.members(), window.cut(), window.from(), budget)
                .run();
        if (result.status() == WglSearch.Status.OUT_OF_TIME || result.status() == WglSearch.Status.OUT_OF_MEMORY) {
            outOfBudget = true;
            return false;
        }
        return result.status() == WglSearch.Status.NOT_LINEARIZABLE;
    }

    private Window cutEnd(Window window, long frontier) {
        TreeSet<Long> times = new TreeSet<>();
        for (int m : window.members()) {
            if (history.completedAt[m] != KeyHistory.OPEN) {
                times.add(history.completedAt[m]);
            }
        }
        long[] candidates = times.stream().mapToLong(Long::longValue).toArray();
        if (candidates.length == 0) {
            return window;
        }
        // A cut past the last completion is the whole window, known to fail; so is a cut at the frontier: no branch
        // of the failed search got past it, so none can in the cut history either.
        int hi = candidates.length;
        int atFrontier = Arrays.binarySearch(candidates, frontier);
        if (atFrontier >= 0) {
            hi = atFrontier;
        }
        int lo = 0;
        while (lo < hi && !outOfBudget) {
            int mid = (lo + hi) >>> 1;
            if (fails(endingAt(window, candidates[mid]))) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return hi == candidates.length ? window : endingAt(window, candidates[hi]);
    }

    Window endingAt(Window window, long cut) {
        int[] members = Arrays.stream(window.members()).filter(m -> history.invokedAt[m] <= cut).toArray();
        return new Window(members, cut, window.from());
    }

    private Window cutStart(Window window) {
        List<Long> starts = validStarts(window);
        // Index -1 is the window as it is, known to fail; find the latest start that still fails.
        int lo = -1;
        int hi = starts.size() - 1;
        while (lo < hi && !outOfBudget) {
            int mid = (lo + hi + 1) >>> 1;
            if (fails(startingAt(window, starts.get(mid)))) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo < 0 ? window : dropUnobservedOpen(startingAt(window, starts.get(lo)));
    }

    /**
     * The times the window may start at, ascending: the invocation times of the operations completed in the window,
     * after its first one (starting there would leave nothing out) and after its current start.
     */
    List<Long> validStarts(Window window) {
        TreeSet<Long> starts = new TreeSet<>();
        for (int m : window.members()) {
            if (closed(window, m)) {
                starts.add(history.invokedAt[m]);
            }
        }
        if (!starts.isEmpty()) {
            starts.pollFirst();
        }
        if (window.startsAnywhere()) {
            starts.removeIf(s -> s <= window.from());
        }
        return new ArrayList<>(starts);
    }

    Window startingAt(Window window, long start) {
        int[] members = Arrays.stream(window.members())
                .filter(m -> history.invokedAt[m] >= start || !closed(window, m)
                        || (history.completedAt[m] >= start && !WglSearch.changesNothing(history.ops[m])))
                .toArray();
        return new Window(members, window.cut(), start);
    }

    /**
     * Drops the UNKNOWN (or cut-off) writes and CASes of the window whose value no operation of the window observes,
     * when no failed CAS of the window could follow them, and the reads and failed CASes cut off in flight: by the
     * argument in {@link KeyHistory}, the window without them fails exactly when it fails with them. Needs no
     * search.
     */
    Window dropUnobservedOpen(Window window) {
        Set<Long> observed = new HashSet<>();
        long lastFailedCas = Long.MIN_VALUE;
        for (int m : window.members()) {
            Operation op = history.ops[m];
            if (op.kind() == Operation.Kind.CAS) {
                if (!closed(window, m) || op.casSucceeded()) {
                    observed.add(op.expected());
                }
                if (closed(window, m) && !op.casSucceeded()) {
                    lastFailedCas = Math.max(lastFailedCas, history.completedAt[m]);
                }
            } else if (op.kind() == Operation.Kind.READ && closed(window, m)) {
                observed.add(op.value());
            }
        }
        long failedCasBound = lastFailedCas;
        int[] members = Arrays.stream(window.members())
                .filter(m -> closed(window, m) || (!WglSearch.changesNothing(history.ops[m])
                        && (observed.contains(history.ops[m].value()) || failedCasBound >= history.invokedAt[m])))
                .toArray();
        return new Window(members, window.cut(), window.from());
    }

    /**
     * Drops the window's completed operations that are not needed, in the manner of delta debugging: first in large
     * chunks, then in smaller ones down to single operations. After each removal the start is moved as late as it
     * will go, since an operation dropped can free a point where nothing was in flight.
     */
    private Window dropUnneeded(Window window) {
        int chunks = 2;
        while (!outOfBudget) {
            int[] removable = removable(window);
            if (removable.length == 0) {
                break;
            }
            chunks = Math.min(chunks, removable.length);
            boolean removed = false;
            for (int c = 0; c < chunks && !outOfBudget; c++) {
                Window candidate = without(window, removable, c * removable.length / chunks,
                        (c + 1) * removable.length / chunks);
                if (fails(candidate)) {
                    window = cutStart(dropUnobservedOpen(candidate));
                    chunks = Math.max(chunks - 1, 2);
                    removed = true;
                    break;
                }
            }
            if (!removed) {
                if (chunks >= removable.length) {
                    break;
                }
                chunks = Math.min(chunks * 2, removable.length);
            }
        }
        return window;
    }

    /**
     * The window's completed operations whose removal is sound: reads and failed CASes, and writes and successful
     * CASes whose value no operation of the window observes, if no failed CAS of the window could follow them.
     */
    private int[] removable(Window window) {
        Set<Long> observed = new HashSet<>();
        long lastFailedCas = Long.MIN_VALUE;
        for (int m : window.members()) {
            Operation op = history.ops[m];
            boolean closed = closed(window, m);
            if (op.kind() == Operation.Kind.READ && closed) {
                observed.add(op.value());
            } else if (op.kind() == Operation.Kind.CAS) {
                if (!closed || op.casSucceeded()) {
                    observed.add(op.expected());
                } else {
                    lastFailedCas = Math.max(lastFailedCas, history.completedAt[m]);
                }
            }
        }
        long failedCasBound = lastFailedCas;
        return Arrays.stream(window.members()).filter(m -> closed(window, m)
                && (WglSearch.changesNothing(history.ops[m])
                || (!observed.contains(history.ops[m].value()) && failedCasBound < history.invokedAt[m])))
                .toArray();
    }

    /** The window without {@code removable[from..to)}. */
    private static Window without(Window window, int[] removable, int from, int to) {
        Set<Integer> drop = new HashSet<>();
        for (int i = from; i < to; i++) {
            drop.add(removable[i]);
        }
        int[] members = Arrays.stream(window.members()).filter(m -> !drop.contains(m)).toArray();
        return new Window(members, window.cut(), window.from());
    }

    /**
     * Whether the operation is known to have taken effect within the window, with its recorded result: it is OK,
     * completed by the window's end and was invoked at or after its start.
     */
    private boolean closed(Window window, int member) {
        return history.completedAt[member] != KeyHistory.OPEN && history.completedAt[member] <= window.cut()
                && history.invokedAt[member] >= window.from();
    }
}
