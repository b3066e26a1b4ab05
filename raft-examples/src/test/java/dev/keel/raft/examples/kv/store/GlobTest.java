package dev.keel.raft.examples.kv.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class GlobTest {
    @Test
    void starsQuestionMarksClassesAndEscapesMatchAsInRedis() {
        assertThat(matches("*", "")).isTrue();
        assertThat(matches("*", "anything")).isTrue();
        assertThat(matches("h?llo", "hello")).isTrue();
        assertThat(matches("h?llo", "hllo")).isFalse();
        assertThat(matches("h*llo", "hllo")).isTrue();
        assertThat(matches("h*llo", "heeeello")).isTrue();
        assertThat(matches("h[ae]llo", "hallo")).isTrue();
        assertThat(matches("h[ae]llo", "hillo")).isFalse();
        assertThat(matches("h[^e]llo", "hallo")).isTrue();
        assertThat(matches("h[^e]llo", "hello")).isFalse();
        assertThat(matches("h[a-b]llo", "hbllo")).isTrue();
        assertThat(matches("h[b-a]llo", "hallo")).isTrue();
        assertThat(matches("h[a-b]llo", "hcllo")).isFalse();
        assertThat(matches("h\\*llo", "h*llo")).isTrue();
        assertThat(matches("h\\*llo", "hello")).isFalse();
        assertThat(matches("user:*:name", "user:42:name")).isTrue();
        assertThat(matches("user:*:name", "user:42:names")).isFalse();
        assertThat(matches("*a*b*c*", "xxaxxbxxcxx")).isTrue();
        assertThat(matches("*a*b*c*", "xxaxxcxxbxx")).isFalse();
        assertThat(matches("", "")).isTrue();
        assertThat(matches("", "x")).isFalse();
    }

    /** Exponential backtracking would take astronomically long here; the matcher needs O(pattern x subject). */
    @Test
    @Timeout(60)
    void aPatternWithManyStarsDoesNotBacktrackExponentially() {
        assertThat(matches("*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(5_000))).isFalse();
        assertThat(matches("*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(5_000) + "b")).isTrue();
    }

    private static boolean matches(String pattern, String subject) {
        return Glob.of(pattern.getBytes(StandardCharsets.UTF_8)).matches(subject.getBytes(StandardCharsets.UTF_8));
    }
}
