package dev.keel.raft.examples.kv.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply of {@code RAFT.MEMBERS}, read: the configuration's entry, whether a change is under way, the leader, and
 * each member's id, role ({@code voter} or {@code learner}), Raft address and client address (empty if unknown).
 */
record Members(long configIndex, boolean changeInProgress, String leader, List<Member> members) {

    record Member(String id, String role, String raft, String client) {
    }

    /**
     * @throws IllegalArgumentException if the reply does not have that shape
     */
    static Members parse(Object reply) {
        if (!(reply instanceof List<?> fields)) {
            throw new IllegalArgumentException("RAFT.MEMBERS answered " + reply);
        }
        long index = -1;
        boolean changing = false;
        String leader = "";
        List<Member> members = new ArrayList<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            Object value = fields.get(i + 1);
            switch (String.valueOf(fields.get(i))) {
                case "config_index" -> index = (Long) value;
                case "change_in_progress" -> changing = !Long.valueOf(0).equals(value);
                case "leader" -> leader = value == null ? "" : String.valueOf(value);
                case "members" -> {
                    for (Object row : (List<?>) value) {
                        List<?> r = (List<?>) row;
                        members.add(new Member(String.valueOf(r.get(0)), String.valueOf(r.get(1)),
                                String.valueOf(r.get(2)), r.size() > 3 && r.get(3) != null ? String.valueOf(r.get(3))
                                : ""));
                    }
                }
                default -> {
                    // A field a later version added.
                }
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("RAFT.MEMBERS answered without config_index: " + reply);
        }
        return new Members(index, changing, leader, List.copyOf(members));
    }
}
