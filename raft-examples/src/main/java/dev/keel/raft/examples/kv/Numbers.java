package dev.keel.raft.examples.kv;

/** Redis's strict reading of integers from bytes: what INCR accepts as a number and what INCRBY takes as delta. */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Parses a signed 64-bit decimal integer the way Redis does: an optional minus sign, then digits, no leading zeros
     * (except "0" itself), no plus sign, no spaces, within range.
     *
     * @return the value, or {@code null} if the bytes are not such an integer
     */
    public static Long parseLong(byte[] bytes) {
        int n = bytes.length;
        if (n == 0 || n > 20) {
            return null;
        }
        boolean negative = bytes[0] == '-';
        int i = negative ? 1 : 0;
        if (i == n || (bytes[i] == '0' && n > i + 1) || (negative && bytes[i] == '0')) {
            return null;
        }
        long value = 0;
        for (; i < n; i++) {
            int d = bytes[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // Accumulate negatively: the negative range is one larger, so Long.MIN_VALUE parses too.
            if (value < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return null;
            }
            value = -value;
        }
        return value;
    }
}
