package dev.keel.raft.examples.kv.resp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs each refused client (a wrong password, a command without the needed right, a connection without TLS or with an
 * untrusted certificate) once, at WARN, naming the address and the user, never a password. A client hammering the
 * port cannot flood the log: past {@value #PER_SECOND} refusals a second, the rest are counted and reported with the
 * next line.
 *
 * <p>Thread-safe.
 */
public final class RefusalLog {
    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);
    static final int PER_SECOND = 10;

    private final AtomicLong windowStart = new AtomicLong();
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    void wrongPassword(ClientSession s, String user) {
        refused(s.remote(), "wrong password for user '" + user + "'");
    }

    void notPermitted(ClientSession s, String user, String command) {
        refused(s.remote(), "user '" + user + "' has no right to run " + command);
    }

    /** A refusal at the connection level (TLS); {@code why} says what was wrong. */
    public void refused(SocketAddress remote, String why) {
        long now = System.nanoTime() / 1_000_000_000L;
        long start = windowStart.get();
        if (start != now && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > PER_SECOND) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        log.warn("refused client {}: {}{}", address(remote), why,
                skipped > 0 ? " (" + skipped + " more refusals not logged)" : "");
    }

    private static String address(SocketAddress a) {
        String s = String.valueOf(a);
        return s.startsWith("/") ? s.substring(1) : s;
    }
}
