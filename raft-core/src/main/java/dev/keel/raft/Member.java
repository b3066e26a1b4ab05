package dev.keel.raft;

import java.util.Objects;

/**
 * A server of the cluster and where to reach it.
 *
 * @param id      the server's id
 * @param address its Raft address as the transport understands it (for the Netty transport {@code host:port}); may
 *                be empty when the transport is configured with every address up front
 */
public record Member(NodeId id, String address) implements Comparable<Member> {
    /**
     * @throws IllegalArgumentException if the address is longer than 255 characters or contains whitespace
     */
    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address (use \"\" when unknown)");
        if (address.length() > 255 || address.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("member address must be at most 255 characters without whitespace, was '"
                    + address + "'");
        }
    }

    /** A member whose address the transport already knows. */
    public static Member of(NodeId id) {
        return new Member(id, "");
    }

    /** A member reachable at {@code address}. */
    public static Member of(String id, String address) {
        return new Member(NodeId.of(id), address);
    }

    @Override
    public int compareTo(Member o) {
        return id.compareTo(o.id);
    }

    @Override
    public String toString() {
        return address.isEmpty() ? id.value() : id + "@" + address;
    }
}
