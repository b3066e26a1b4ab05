package dev.keel.raft.examples.kv.store;

/**
 * Redis's glob-style patterns ({@code KEYS}, {@code SCAN ... MATCH}) over bytes: {@code *} any run of bytes,
 * {@code ?} one byte, {@code [abc]}, {@code [^abc]} and {@code [a-z]} one byte of (or not of) a set, and {@code \}
 * making the next byte literal. A malformed class ({@code [} without {@code ]}) matches its bytes as far as they go,
 * as Redis's own matcher does.
 *
 * <p>Thread-safe: immutable. Matching is iterative with one backtracking point per {@code *}, so no pattern can make
 * it take more than O(pattern x subject) steps.
 */
public final class Glob {
    private final byte[] pattern;
    private final boolean matchesAll;

    private Glob(byte[] pattern) {
        this.pattern = pattern;
        boolean all = pattern.length > 0;
        for (byte b : pattern) {
            all &= b == '*';
        }
        this.matchesAll = all;
    }

    /** The pattern over these bytes (not copied: do not modify them). */
    public static Glob of(byte[] pattern) {
        return new Glob(pattern);
    }

    /** Whether the pattern is only stars, matching everything (lets callers skip the matching). */
    public boolean matchesAll() {
        return matchesAll;
    }

    /** Whether {@code subject} matches the whole pattern. */
    public boolean matches(byte[] subject) {
        if (matchesAll) {
            return true;
        }
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = -1;
        while (s < subject.length) {
            if (p < pattern.length && pattern[p] == '*') {
                while (p < pattern.length && pattern[p] == '*') {
                    p++;
                }
                if (p == pattern.length) {
                    return true;
                }
                starP = p;
                starS = s;
                continue;
            }
            int next = p < pattern.length ? matchOne(p, subject[s]) : -1;
            if (next >= 0) {
                p = next;
                s++;
            } else if (starP >= 0) {
                // Let the last star swallow one more byte and try again from just after it.
                p = starP;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** Matches one byte at pattern position {@code p}: the position after the element, or -1 if it does not match. */
    private int matchOne(int p, byte c) {
        byte b = pattern[p];
        if (b == '?') {
            return p + 1;
        }
        if (b == '\\' && p + 1 < pattern.length) {
            return pattern[p + 1] == c ? p + 2 : -1;
        }
        if (b == '[') {
            return matchClass(p + 1, c);
        }
        return b == c ? p + 1 : -1;
    }

    private int matchClass(int p, byte c) {
        boolean not = p < pattern.length && pattern[p] == '^';
        if (not) {
            p++;
        }
        boolean match = false;
        while (p < pattern.length && pattern[p] != ']') {
            if (pattern[p] == '\\' && p + 1 < pattern.length) {
                match |= pattern[p + 1] == c;
                p += 2;
            } else if (p + 2 < pattern.length && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
                int lo = pattern[p] & 0xff;
                int hi = pattern[p + 2] & 0xff;
                if (lo > hi) {
                    int t = lo;
                    lo = hi;
                    hi = t;
                }
                int v = c & 0xff;
                match |= v >= lo && v <= hi;
                p += 3;
            } else {
                match |= pattern[p] == c;
                p++;
            }
        }
        // A class without its closing bracket ends the pattern, as in Redis.
        int after = p < pattern.length ? p + 1 : p;
        return match != not ? after : -1;
    }
}
