package dev.keel.raft;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who belongs to the cluster (Raft thesis chapter 4): the voters, whose majority elects leaders and commits entries;
 * the learners, who receive the log but never vote or count toward commitment; and, while a change of voters is
 * under way (joint consensus, thesis §4.3), the outgoing voters, whose majority must also agree.
 *
 * <p>Immutable; sets are sorted by id.
 *
 * @param voters         the voters (of the new configuration, during a joint change)
 * @param learners       the non-voting members
 * @param outgoingVoters the voters of the old configuration during a joint change; empty otherwise
 */
public record Membership(SortedSet<Member> voters, SortedSet<Member> learners, SortedSet<Member> outgoingVoters) {
    private static final int FORMAT_VERSION = 1;

    /**
     * @throws IllegalArgumentException if there are no voters, or one id appears twice with different roles or
     *                                  addresses (an outgoing voter may also be a voter)
     */
    public Membership {
        voters = sorted(voters, "voters");
        learners = sorted(learners, "learners");
        outgoingVoters = sorted(outgoingVoters, "outgoingVoters");
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        Set<NodeId> voterIds = ids(voters);
        for (Member l : learners) {
            if (voterIds.contains(l.id())) {
                throw new IllegalArgumentException(l.id() + " cannot be both a voter and a learner");
            }
        }
        SortedSet<Member> current = voters;
        SortedSet<Member> learning = learners;
        for (Member o : outgoingVoters) {
            Optional<Member> same = find(current, o.id()).or(() -> find(learning, o.id()));
            if (same.isPresent() && !same.get().address().equals(o.address())) {
                throw new IllegalArgumentException(o.id() + " has two addresses: " + same.get().address() + " and "
                        + o.address());
            }
        }
    }

    private static SortedSet<Member> sorted(Collection<Member> members, String what) {
        Objects.requireNonNull(members, what);
        TreeSet<Member> set = new TreeSet<>();
        for (Member m : members) {
            if (!set.add(Objects.requireNonNull(m, what + " must not contain null"))) {
                throw new IllegalArgumentException(what + " list " + m.id() + " twice");
            }
        }
        return Collections.unmodifiableSortedSet(set);
    }

    private static Set<NodeId> ids(Collection<Member> members) {
        return members.stream().map(Member::id).collect(Collectors.toUnmodifiableSet());
    }

    private static Optional<Member> find(Collection<Member> members, NodeId id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** A simple configuration of voters only. */
    public static Membership ofVoters(Collection<Member> voters) {
        return new Membership(new TreeSet<>(voters), new TreeSet<>(), new TreeSet<>());
    }

    /** A simple configuration of voters and learners. */
    public static Membership of(Collection<Member> voters, Collection<Member> learners) {
        return new Membership(new TreeSet<>(voters), new TreeSet<>(learners), new TreeSet<>());
    }

    /** Whether a change of voters is under way (joint consensus). */
    public boolean isJoint() {
        return !outgoingVoters.isEmpty();
    }

    /** Ids of the voters. */
    public Set<NodeId> voterIds() {
        return ids(voters);
    }

    /** Ids of the learners. */
    public Set<NodeId> learnerIds() {
        return ids(learners);
    }

    /** Ids of the outgoing voters (empty unless joint). */
    public Set<NodeId> outgoingVoterIds() {
        return ids(outgoingVoters);
    }

    /** Whether {@code id} votes in this configuration (as a voter or an outgoing voter). */
    public boolean isVoter(NodeId id) {
        return find(voters, id).isPresent() || find(outgoingVoters, id).isPresent();
    }

    /** Whether {@code id} is a member in any role. */
    public boolean contains(NodeId id) {
        return member(id).isPresent();
    }

    /** The member with this id, in any role. */
    public Optional<Member> member(NodeId id) {
        return find(voters, id).or(() -> find(learners, id)).or(() -> find(outgoingVoters, id));
    }

    /** Every member in any role, sorted by id, each once. */
    public SortedSet<Member> allMembers() {
        TreeSet<Member> all = new TreeSet<>(voters);
        all.addAll(learners);
        Set<NodeId> seen = new HashSet<>(ids(all));
        for (Member o : outgoingVoters) {
            if (seen.add(o.id())) {
                all.add(o);
            }
        }
        return Collections.unmodifiableSortedSet(all);
    }

    /** This configuration with {@code outgoing} as the outgoing voters: the joint configuration of a change. */
    public Membership joint(Collection<Member> outgoing) {
        return new Membership(voters, learners, new TreeSet<>(outgoing));
    }

    /** The simple configuration that ends a joint change. */
    public Membership leaveJoint() {
        return new Membership(voters, learners, new TreeSet<>());
    }

    /** A compact, versioned binary form, stored in the log and in snapshots. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            for (Set<Member> set : java.util.List.of(voters, learners, outgoingVoters)) {
                out.writeShort(set.size());
                for (Member m : set) {
                    writeString(out, m.id().value());
                    writeString(out, m.address());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    /**
     * Reads the form written by {@link #encode()}.
     *
     * @throws IllegalArgumentException if the bytes are not a valid configuration
     */
    public static Membership decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown membership format version " + version);
            }
            @SuppressWarnings("unchecked")
            Set<Member>[] sets = new Set[3];
            for (int s = 0; s < 3; s++) {
                int n = in.readUnsignedShort();
                sets[s] = new TreeSet<>();
                for (int i = 0; i < n; i++) {
                    sets[s].add(new Member(NodeId.of(readString(in)), readString(in)));
                }
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " unexpected bytes after the membership");
            }
            return new Membership(new TreeSet<>(sets[0]), new TreeSet<>(sets[1]), new TreeSet<>(sets[2]));
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated membership encoding", e);
        }
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "voters " + voters + (learners.isEmpty() ? "" : ", learners " + learners)
                + (isJoint() ? ", outgoing voters " + outgoingVoters : "");
    }

    /** Stream of all member ids, for convenience. */
    public Stream<NodeId> ids() {
        return allMembers().stream().map(Member::id);
    }
}
