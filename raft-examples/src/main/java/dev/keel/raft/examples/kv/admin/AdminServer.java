package dev.keel.raft.examples.kv.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The node's HTTP admin port, on the JDK's own HTTP server (no dependency; these endpoints see a request every few
 * seconds): {@code GET /metrics} (Prometheus text format), {@code GET /livez} and {@code GET /readyz} (200 with
 * {@code ok}/{@code ready: ...}, or 503 with the reason), {@code GET /} (the list). Anything else is 404, a method
 * other than GET or HEAD 405.
 *
 * <p>Two threads serve it, so that a {@code /readyz} waiting for its read never holds up a scrape. Lifecycle:
 * {@link #start()}, {@link #close()}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final InetSocketAddress bind;
    private final Supplier<String> metrics;
    private final Health health;
    private HttpServer server;
    private ExecutorService threads;

    public AdminServer(InetSocketAddress bind, Supplier<String> metrics, Health health) {
        this.bind = bind;
        this.metrics = metrics;
        this.health = health;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException naming the address if it cannot be bound
     */
    public synchronized void start() {
        try {
            server = HttpServer.create(bind, 16);
        } catch (IOException e) {
            String why = e instanceof BindException ? "address already in use (pick another admin_port)"
                    : String.valueOf(e.getMessage());
            throw new IllegalStateException("cannot listen for admin requests on " + bind.getHostString() + ":"
                    + bind.getPort() + ": " + why, e);
        }
        AtomicInteger n = new AtomicInteger();
        threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "kv-admin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
        log.info("serving /metrics, /livez and /readyz on http://{}:{}/", bind.getHostString(), port());
    }

    /** The bound port. */
    public synchronized int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                reply(exchange, 405, TEXT, "method " + method + " not allowed: use GET\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> reply(exchange, 200, PROMETHEUS_TEXT, metrics.get());
                case "/livez" -> check(exchange, health.live());
                case "/readyz" -> check(exchange, health.ready());
                case "/" -> reply(exchange, 200, TEXT, """
                        /metrics  Prometheus metrics (text format 0.0.4)
                        /livez    200 while the node serves, 503 once Raft stopped
                        /readyz   200 once the node knows a leader and has caught up with it, else 503 and why
                        """);
                default -> reply(exchange, 404, TEXT, "no such endpoint; try /metrics, /livez or /readyz\n");
            }
        } catch (RuntimeException e) {
            log.warn("admin request {} failed", exchange.getRequestURI(), e);
        }
    }

    private static void check(HttpExchange exchange, Health.Check check) throws IOException {
        reply(exchange, check.ok() ? 200 : 503, TEXT, check.detail() + "\n");
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving (waits at most a second for requests in progress). Idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(1);
            threads.shutdownNow();
            server = null;
        }
    }
}
