package dev.keel.raft.examples.kv;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class NumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"})
    void integersRedisAcceptsParse(String text) {
        assertThat(Numbers.parseLong(text.getBytes(StandardCharsets.US_ASCII))).isEqualTo(Long.parseLong(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+1", " 1", "1 ", "01", "-0", "1.5", "abc", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999"})
    void anythingElseIsNotAnInteger(String text) {
        assertThat(Numbers.parseLong(text.getBytes(StandardCharsets.US_ASCII))).isNull();
    }
}
