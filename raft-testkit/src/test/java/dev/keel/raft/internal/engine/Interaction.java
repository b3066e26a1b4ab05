package dev.keel.raft.internal.engine;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.log.RaftLog;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.internal.runtime.ReadyExecutor;
import dev.keel.raft.testing.InMemoryLogStorage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs the commands of an interaction script against engines wired by hand, and says what happened: a small text
 * language in the spirit of etcd-raft's data-driven interaction tests. Nodes are numbered (node 3 is {@code n3});
 * messages wait in one network queue until a command delivers or drops them, so every interleaving is spelled out.
 *
 * <p>Commands, one per line ({@code key=value} arguments are optional unless shown without brackets):
 * <ul>
 * <li>{@code add-nodes COUNT [voters=1,2,3] [learners=4] [log=1,1,2] [term=T] [prevote=true] [checkquorum=true]
 *     [max-msg-bytes=B] [joining]}: adds COUNT nodes numbered after the existing ones; voters default to the nodes added; {@code log}
 *     gives the terms of entries already in each new node's log, {@code joining} starts them with no configuration.</li>
 * <li>{@code campaign N}: ticks node N until it starts a new campaign (a candidate: in the next term). {@code tick N [count]}, {@code tick-heartbeat N}.</li>
 * <li>{@code propose N text}, {@code read N id}, {@code change-membership N voters=.. [learners=..]},
 *     {@code transfer N target}.</li>
 * <li>{@code process-ready [N..]}: carries out the nodes' Ready (storage is durable at once) and prints it; their
 *     messages join the network queue.</li>
 * <li>{@code deliver-msgs [N..] [from=M,..] [count=K] [drop]}: delivers (or drops) the queued messages addressed to
 *     those nodes (sent by those senders only, with {@code from}; only the first K of them, with {@code count}).</li>
 * <li>{@code stabilize [N..]}: processes Readies and delivers messages until nothing is left to do.</li>
 * <li>{@code isolate N}, {@code heal}: messages to or from N are dropped at delivery while isolated.</li>
 * <li>{@code crash N}, {@code restart N}: the node's engine is lost and rebuilt from its storage; messages queued
 *     for it stay on the wire (delivered to a crashed node they are dropped).</li>
 * <li>{@code compact N index [size=B]}: N has taken a snapshot of {@code B} bytes (default 0) at {@code index} and
 *     purges its log up to it.</li>
 * <li>{@code read-snapshot N [fail]}: the snapshot chunk reads N's Readies asked for complete, in order (each chunk's
 *     bytes are a function of its offset); with {@code fail} the first fails and the rest are dropped, as a failed
 *     disk read would.</li>
 * <li>{@code write-snapshot N [fail]}: the snapshot chunk writes N's Readies asked for complete, in order: a chunk
 *     written, or after the last chunk the snapshot verified (the bytes written must add up to its size) and stored;
 *     with {@code fail} the first fails and the rest are dropped.</li>
 * <li>{@code add-nodes} also takes {@code snapshot-chunk-bytes=B}, {@code snapshot-inflight=C} and
 *     {@code snapshot-rate=BYTES_PER_SECOND} (ticks are 10 ms).</li>
 * <li>{@code cache-recent N COUNT}: N's storage keeps only its last COUNT entries "in memory"; a leader needing older
 *     ones asks for them through its Ready ({@code Load}) instead of reading them. {@code complete-loads N [fail]}:
 *     the loads N asked for are read now (or fail) and handed back to it.</li>
 * <li>{@code status [N..]}, {@code log N}: the nodes' state and durable log.</li>
 * </ul>
 */
final class Interaction {
    /** Heartbeat every tick, election timeout in [10, 20) ticks: the unit tests' timing. */
    static final RaftConfig CONFIG = EngineHarness.CONFIG;

    private final Map<Integer, RaftEngine> engines = new TreeMap<>();
    private final Map<Integer, InMemoryLogStorage> storages = new HashMap<>();
    private final Map<Integer, Membership> bootstraps = new HashMap<>();
    private final Map<Integer, RaftConfig> configs = new HashMap<>();
    private final Map<Integer, Integer> incarnations = new HashMap<>();
    private final List<RaftMessage> network = new ArrayList<>();
    private final Set<Integer> isolated = new HashSet<>();
    private final Map<Integer, List<SnapshotTask.ChunkRead>> chunkReads = new HashMap<>();
    private final Map<Integer, List<SnapshotTask.ChunkWrite>> chunkWrites = new HashMap<>();
    private final Map<Long, Long> written = new HashMap<>();
    private final Map<Integer, List<EntryLoad>> loads = new HashMap<>();
    private long adminRequests;

    /** Runs one command line and returns its output (never empty: "ok" when nothing else is said). */
    String run(String line) {
        List<String> out = new ArrayList<>();
        String[] words = line.trim().split("\\s+");
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) {
                options.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            } else {
                positional.add(words[i]);
            }
        }
        switch (words[0]) {
            case "add-nodes" -> addNodes(Integer.parseInt(positional.get(0)), options, positional, out);
            case "campaign" -> campaign(node(positional, 0), out);
            case "tick" -> tick(node(positional, 0), positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 1,
                    out);
            case "tick-heartbeat" -> tick(node(positional, 0), CONFIG.heartbeatTicks(), out);
            case "propose" -> propose(node(positional, 0), String.join(" ", positional.subList(1, positional.size())),
                    out);
            case "read" -> {
                engine(node(positional, 0)).read(Long.parseLong(positional.get(1)));
                out.add("ok");
            }
            case "change-membership" -> changeMembership(node(positional, 0), options, out);
            case "transfer" -> {
                engine(node(positional, 0)).transferLeadership(++adminRequests, id(node(positional, 1)));
                out.add("request " + adminRequests);
            }
            case "process-ready" -> processReady(nodes(positional), out);
            case "deliver-msgs" -> deliver(nodes(positional), options.containsKey("from")
                    ? numbers(options.get("from")) : null, Integer.parseInt(options.getOrDefault("count",
                    String.valueOf(Integer.MAX_VALUE))), positional.contains("drop"), out);
            case "stabilize" -> stabilize(nodes(positional), out);
            case "isolate" -> {
                isolated.add(node(positional, 0));
                out.add("ok");
            }
            case "heal" -> {
                isolated.clear();
                out.add("ok");
            }
            case "crash" -> crash(node(positional, 0), out);
            case "restart" -> restart(node(positional, 0), out);
            case "compact" -> compact(node(positional, 0), Long.parseLong(positional.get(1)),
                    Long.parseLong(options.getOrDefault("size", "0")), out);
            case "read-snapshot" -> readSnapshot(node(positional, 0), positional.contains("fail"), out);
            case "write-snapshot" -> writeSnapshot(node(positional, 0), positional.contains("fail"), out);
            case "cache-recent" -> {
                storages.get(node(positional, 0)).cacheRecent(Long.parseLong(positional.get(1)));
                out.add("ok");
            }
            case "complete-loads" -> completeLoads(node(positional, 0), positional.contains("fail"), out);
            case "status" -> nodes(positional).forEach(n -> out.add(status(n)));
            case "log" -> log(node(positional, 0), out);
            default -> throw new IllegalArgumentException("unknown command: " + words[0]);
        }
        if (out.isEmpty()) {
            out.add("ok");
        }
        return String.join("\n", out);
    }

    // ---- commands -----------------------------------------------------------------------------------------------

    private void addNodes(int count, Map<String, String> options, List<String> positional, List<String> out) {
        int first = engines.size() + 1;
        List<Integer> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            added.add(first + i);
        }
        List<Integer> voters = options.containsKey("voters") ? numbers(options.get("voters")) : added;
        List<Integer> learners = options.containsKey("learners") ? numbers(options.get("learners")) : List.of();
        RaftConfig.Builder builder = CONFIG.toBuilder()
                .preVote(Boolean.parseBoolean(options.getOrDefault("prevote", "true")))
                .checkQuorum(Boolean.parseBoolean(options.getOrDefault("checkquorum", "true")));
        if (options.containsKey("max-msg-bytes")) {
            builder.maxEntriesBytesPerMessage(Integer.parseInt(options.get("max-msg-bytes")));
        }
        if (options.containsKey("snapshot-chunk-bytes")) {
            builder.snapshotChunkBytes(Integer.parseInt(options.get("snapshot-chunk-bytes")));
        }
        if (options.containsKey("snapshot-inflight")) {
            builder.snapshotInflightChunks(Integer.parseInt(options.get("snapshot-inflight")));
        }
        if (options.containsKey("snapshot-rate")) {
            builder.snapshotBytesPerSecond(Long.parseLong(options.get("snapshot-rate")));
        }
        RaftConfig config = builder.build();
        Membership bootstrap = positional.contains("joining") ? null
                : Membership.of(voters.stream().map(n -> Member.of(id(n))).toList(),
                learners.stream().map(n -> Member.of(id(n))).toList());
        long[] terms = options.containsKey("log")
                ? numbers(options.get("log")).stream().mapToLong(Integer::longValue).toArray() : new long[0];
        long term = Long.parseLong(options.getOrDefault("term", String.valueOf(
                Arrays.stream(terms).max().orElse(0))));
        for (int n : added) {
            InMemoryLogStorage storage = EngineHarness.storage(term, terms);
            storages.put(n, storage);
            bootstraps.put(n, bootstrap);
            configs.put(n, config);
            incarnations.put(n, 0);
            engines.put(n, newEngine(n));
            out.add(status(n));
        }
    }

    private RaftEngine newEngine(int n) {
        return new RaftEngine(id(n), bootstraps.get(n), configs.get(n), storages.get(n), null,
                new SplittableRandom(n * 1_000L + incarnations.get(n)));
    }

    private void campaign(int n, List<String> out) {
        RaftEngine e = engine(n);
        dev.keel.raft.Role role = e.role();
        long term = e.term();
        if (role == dev.keel.raft.Role.PRE_CANDIDATE) {
            // Starting over changes neither role nor term: one maximum election timeout is sure to contain it.
            tick(n, CONFIG.electionTimeoutMaxTicks(), out);
            out.add(id(n) + " is " + e.role() + " in term " + e.term());
            return;
        }
        int ticks = 0;
        // Until a new campaign starts: a follower becomes a (pre-)candidate; a candidate starts the next term.
        while (e.role() == dev.keel.raft.Role.FOLLOWER || e.role() == dev.keel.raft.Role.LEADER
                || (e.role() == role && e.term() == term)) {
            if (++ticks > 10 * CONFIG.electionTimeoutMaxTicks()) {
                throw new IllegalStateException(id(n) + " does not campaign: " + e);
            }
            e.tick();
        }
        out.add(id(n) + " is " + e.role() + " in term " + e.term());
    }

    private void tick(int n, int times, List<String> out) {
        RaftEngine e = engine(n);
        dev.keel.raft.Role before = e.role();
        for (int i = 0; i < times; i++) {
            e.tick();
        }
        if (e.role() != before) {
            out.add(id(n) + " is " + e.role() + " in term " + e.term());
        }
    }

    private void propose(int n, String text, List<String> out) {
        ProposeResult r = engine(n).propose(text.getBytes(StandardCharsets.UTF_8));
        out.add(switch (r.outcome()) {
            case APPENDED -> "appended " + r.index() + "@" + r.term();
            case NOT_LEADER -> "not the leader; leader " + (r.leader() == null ? "unknown" : r.leader());
            case BUSY -> "busy";
        });
    }

    private void changeMembership(int n, Map<String, String> options, List<String> out) {
        Membership target = Membership.of(numbers(options.get("voters")).stream().map(v -> Member.of(id(v))).toList(),
                options.containsKey("learners") ? numbers(options.get("learners")).stream()
                        .map(v -> Member.of(id(v))).toList() : List.of());
        RaftEngine e = engine(n);
        e.changeMembership(++adminRequests, target, e.membershipIndex());
        out.add("request " + adminRequests);
    }

    private void processReady(List<Integer> nodes, List<String> out) {
        for (int n : nodes) {
            RaftEngine e = engines.get(n);
            if (e == null) {
                continue;
            }
            ReadyExecutor executor = EngineHarness.executor(storages.get(n), e, network::add);
            while (e.hasReady()) {
                Ready rd = e.ready();
                describeReady(n, rd, out);
                executor.execute(rd);
                loads.computeIfAbsent(n, k -> new ArrayList<>()).addAll(rd.loads());
                for (SnapshotTask t : rd.snapshots().tasks()) {
                    if (t instanceof SnapshotTask.ChunkRead r) {
                        chunkReads.computeIfAbsent(n, k -> new ArrayList<>()).add(r);
                    } else if (t instanceof SnapshotTask.ChunkWrite w) {
                        chunkWrites.computeIfAbsent(n, k -> new ArrayList<>()).add(w);
                    }
                }
            }
        }
    }

    private void describeReady(int n, Ready rd, List<String> out) {
        out.add("> " + id(n) + " handling Ready");
        Consumer<String> add = s -> out.add("  " + s);
        if (rd.softState() != null) {
            SoftState s = rd.softState();
            add.accept("State " + s.role() + " term=" + s.term() + " leader=" + (s.leader() == null ? "-" : s.leader()));
        }
        if (rd.hardState() != null) {
            HardState h = rd.hardState();
            add.accept("HardState term=" + h.term() + " vote=" + (h.votedFor() == null ? "-" : h.votedFor()));
        }
        if (rd.logReset()) {
            add.accept("Log reset to start at " + rd.firstIndex());
        }
        rd.entries().forEach(e -> add.accept("Entry " + Describe.entry(e)));
        if (rd.snapshots().restore() != null) {
            add.accept("Restore snapshot " + Describe.snapshot(rd.snapshots().restore()));
        }
        rd.committedEntries().forEach(e -> add.accept("Committed " + Describe.entry(e)));
        rd.messages().forEach(m -> add.accept("Send " + Describe.message(m)));
        rd.persistBoundMessages().forEach(m -> add.accept("Send after persisting " + Describe.message(m)));
        rd.readStates().forEach(r -> add.accept("Read id=" + r.requestId() + " at index " + r.readIndex()));
        rd.failedReads().forEach(id -> add.accept("Read id=" + id + " failed"));
        rd.snapshots().tasks().forEach(t -> add.accept(Describe.snapshotTask(t)));
        rd.loads().forEach(l -> add.accept("Load entries [" + l.from() + ", " + l.to() + ") for " + l.peer()));
        rd.adminResults().forEach(r -> add.accept("Request " + r.requestId() + " " + r.outcome()
                + (r.outcome() == AdminResult.Outcome.SUCCESS ? " " + Describe.membership(r.membership())
                : ": " + r.message())));
    }

    /**
     * Delivers the queued messages addressed to {@code nodes} (from {@code senders} only, unless null); returns whether
     * any was queued for them.
     */
    private boolean deliver(List<Integer> nodes, List<Integer> senders, int count, boolean drop, List<String> out) {
        boolean any = false;
        List<RaftMessage> now = new ArrayList<>();
        for (Iterator<RaftMessage> it = network.iterator(); it.hasNext(); ) {
            RaftMessage m = it.next();
            if (now.size() < count && nodes.contains(number(m.to()))
                    && (senders == null || senders.contains(number(m.from())))) {
                now.add(m);
                it.remove();
            }
        }
        for (RaftMessage m : now) {
            any = true;
            RaftEngine to = engines.get(number(m.to()));
            boolean cut = drop || to == null || isolated.contains(number(m.to()))
                    || isolated.contains(number(m.from()));
            out.add((cut ? "dropped " : "") + Describe.message(m));
            if (!cut) {
                to.step(m);
            }
        }
        return any;
    }

    private void stabilize(List<Integer> nodes, List<String> out) {
        for (int round = 0; round < 1000; round++) {
            int before = out.size();
            processReady(nodes, out);
            boolean delivered = deliver(nodes, null, Integer.MAX_VALUE, false, out);
            if (out.size() == before && !delivered) {
                return;
            }
        }
        throw new IllegalStateException("no stable state after 1000 rounds");
    }

    private void crash(int n, List<String> out) {
        engines.put(n, null);
        // Disk work in flight dies with the process.
        chunkReads.remove(n);
        chunkWrites.remove(n);
        out.add(id(n) + " crashed");
    }

    private void restart(int n, List<String> out) {
        incarnations.merge(n, 1, Integer::sum);
        engines.put(n, newEngine(n));
        out.add(status(n));
    }

    private void compact(int n, long index, long size, List<String> out) {
        RaftEngine e = engine(n);
        InMemoryLogStorage s = storages.get(n);
        e.snapshotTaken(new SnapshotMetadata(index, s.termAt(index), e.membership(), e.membershipIndex(), size, 0));
        s.purgePrefix(index);
        out.add(id(n) + " log now starts at " + e.log().firstIndex());
    }

    private void completeLoads(int n, boolean fail, List<String> out) {
        List<EntryLoad> pending = loads.remove(n);
        if (pending == null || pending.isEmpty()) {
            throw new IllegalStateException(id(n) + " has asked for no load");
        }
        RaftEngine e = engine(n);
        for (EntryLoad l : pending) {
            List<LogEntry> read = null;
            try {
                read = fail ? null : storages.get(n).entries(l.from(), l.to(), l.maxBytes());
            } catch (IndexOutOfBoundsException gone) {
                out.add(id(n) + " cannot read [" + l.from() + ", " + l.to() + "): " + gone.getMessage());
            }
            if (read == null) {
                out.add(id(n) + " load for " + l.peer() + " failed");
                e.entryLoadFailed(l);
            } else {
                out.add(id(n) + " loaded " + read.size() + " entries from " + l.from() + " for " + l.peer());
                e.entriesLoaded(l, read);
            }
        }
    }

    private void readSnapshot(int n, boolean fail, List<String> out) {
        RaftEngine e = engine(n);
        List<SnapshotTask.ChunkRead> reads = chunkReads.getOrDefault(n, new ArrayList<>());
        chunkReads.remove(n);
        for (SnapshotTask.ChunkRead r : reads) {
            String what = id(n) + " read " + Describe.snapshot(r.snapshot()) + " at " + r.offset() + "+" + r.length()
                    + " for " + r.peer() + " (transfer " + r.transfer() + ")";
            if (fail) {
                out.add(what + ": failed");
                e.snapshotReadFailed(r);
                return;
            }
            out.add(what);
            byte[] data = new byte[r.length()];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) ((r.offset() + i) % 251);
            }
            e.snapshotChunkRead(r, data);
        }
        if (reads.isEmpty()) {
            out.add("no snapshot reads pending");
        }
    }

    private void writeSnapshot(int n, boolean fail, List<String> out) {
        RaftEngine e = engine(n);
        List<SnapshotTask.ChunkWrite> writes = chunkWrites.getOrDefault(n, new ArrayList<>());
        chunkWrites.remove(n);
        for (SnapshotTask.ChunkWrite w : writes) {
            String what = id(n) + " wrote " + Describe.snapshot(w.snapshot()) + " at " + w.offset() + "+"
                    + w.data().length + " from " + w.leader() + " (transfer " + w.transfer() + ")";
            long at = written.getOrDefault(w.transfer(), 0L);
            if (fail || at != w.offset()) {
                out.add(what + ": failed" + (fail ? "" : ", expected offset " + at));
                e.snapshotWriteFailed(w);
                return;
            }
            written.put(w.transfer(), at + w.data().length);
            if (!w.last()) {
                out.add(what);
                e.snapshotChunkWritten(w);
            } else if (at + w.data().length != w.snapshot().size()) {
                out.add(what + ": verification failed, " + (at + w.data().length) + " of " + w.snapshot().size()
                        + " bytes");
                e.snapshotWriteFailed(w);
                return;
            } else {
                out.add(what + ", verified and stored");
                e.snapshotStored(w, w.snapshot());
            }
        }
        if (writes.isEmpty()) {
            out.add("no snapshot writes pending");
        }
    }

    private String status(int n) {
        RaftEngine e = engines.get(n);
        if (e == null) {
            return id(n) + " is down";
        }
        RaftLog log = e.log();
        return id(n) + " " + e.role() + " term=" + e.term() + " vote=" + (e.votedFor() == null ? "-" : e.votedFor())
                + " leader=" + (e.leader() == null ? "-" : e.leader()) + " log=[" + log.firstIndex() + ","
                + log.lastIndex() + "] commit=" + log.commitIndex() + " " + Describe.membership(e.membership());
    }

    private void log(int n, List<String> out) {
        InMemoryLogStorage s = storages.get(n);
        if (s.lastIndex() < s.firstIndex()) {
            out.add("(empty)");
        }
        for (LogEntry e : s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE)) {
            out.add(Describe.entry(e));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private RaftEngine engine(int n) {
        RaftEngine e = engines.get(n);
        if (e == null) {
            throw new IllegalStateException(id(n) + " is not running");
        }
        return e;
    }

    private List<Integer> nodes(List<String> positional) {
        List<Integer> picked = new ArrayList<>();
        for (String p : positional) {
            if (p.chars().allMatch(Character::isDigit)) {
                picked.add(Integer.parseInt(p));
            }
        }
        return picked.isEmpty() ? new ArrayList<>(engines.keySet()) : picked;
    }

    private static int node(List<String> positional, int i) {
        if (positional.size() <= i) {
            throw new IllegalArgumentException("missing node number (argument " + (i + 1) + ")");
        }
        return Integer.parseInt(positional.get(i));
    }

    private static List<Integer> numbers(String csv) {
        return Arrays.stream(csv.split(",")).filter(s -> !s.isBlank()).map(Integer::parseInt).toList();
    }

    static NodeId id(int n) {
        return NodeId.of("n" + n);
    }

    private static int number(NodeId id) {
        return Integer.parseInt(id.value().substring(1));
    }
}
