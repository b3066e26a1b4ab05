package dev.keel.raft.transport.netty.internal;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.event.Level;
import org.slf4j.Marker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {

    @Test
    void logsOncePerIntervalAndCountsWhatItSuppressed() {
        List<String> lines = new ArrayList<>();
        AtomicLong now = new AtomicLong(1_000);
        RateLimitedLog log = new RateLimitedLog(capturing(lines), Duration.ofSeconds(10), now::get);

        log.warn("bad frame 1");
        log.warn("bad frame 2");
        log.warn("bad frame 3");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.warn("bad frame 4");

        assertThat(lines).containsExactly("WARN bad frame 1", "WARN bad frame 4 (2 similar message(s) suppressed)");
    }

    private static Logger capturing(List<String> lines) {
        return new AbstractLogger() {
            @Override
            protected String getFullyQualifiedCallerName() {
                return null;
            }

            @Override
            protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args,
                                                       Throwable t) {
                lines.add(level + " " + msg);
            }

            @Override
            public boolean isTraceEnabled() {
                return true;
            }

            @Override
            public boolean isTraceEnabled(Marker marker) {
                return true;
            }

            @Override
            public boolean isDebugEnabled() {
                return true;
            }

            @Override
            public boolean isDebugEnabled(Marker marker) {
                return true;
            }

            @Override
            public boolean isInfoEnabled() {
                return true;
            }

            @Override
            public boolean isInfoEnabled(Marker marker) {
                return true;
            }

            @Override
            public boolean isWarnEnabled() {
                return true;
            }

            @Override
            public boolean isWarnEnabled(Marker marker) {
                return true;
            }

            @Override
            public boolean isErrorEnabled() {
                return true;
            }

            @Override
            public boolean isErrorEnabled(Marker marker) {
                return true;
            }
        };
    }
}
