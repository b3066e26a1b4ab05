package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.cli.KeelKv;
import dev.keel.raft.examples.kv.config.ConfigFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator commands against a node that requires a password ({@code requirepass}, {@code [[users]]}): they
 * authenticate with {@code --password} (as {@code default}) or {@code --user}/{@code --password}, and a missing,
 * wrong or unprivileged login is a refusal (exit 1) that names the node's answer, not a crash or a hang.
 */
class KvOperatorAuthTest {
    private static final String ROOT = "root-pass";
    private static final String APP = "app-pass";

    @TempDir
    static Path dir;
    private static LocalKvCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalKvCluster(1, dir, 1024, 3000, (i, f) -> {
            f.requirepass = ROOT;
            f.memberPassword = "member-pass";
            ConfigFile.UserEntry app = new ConfigFile.UserEntry();
            app.name = "app";
            app.password = APP;
            app.admin = false;
            f.users = List.of(app);
        });
        cluster.awaitLeader(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Run(int status, String out, String err) {
    }

    private static Run keelKv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new KeelKv());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static String port() {
        return String.valueOf(cluster.clientPort(0));
    }

    @Test
    void withThePasswordTheCommandsWorkAsTheDefaultUser() {
        Run members = keelKv("members", "-p", port(), "--password", ROOT);
        assertThat(members.status()).as(members.err()).isZero();
        assertThat(members.out()).contains("n1", "voter", "(leader)");

        Run snapshot = keelKv("snapshot", "-p", port(), "--user", "default", "--password", ROOT);
        assertThat(snapshot.status()).as(snapshot.err()).isZero();
        assertThat(snapshot.out()).startsWith("snapshot taken at index ");

        Run status = keelKv("status", "-p", port(), "--password", ROOT);
        assertThat(status.status()).as(status.out() + status.err()).isZero();
        assertThat(status.out()).contains("leader n1");
        assertThat(status.out().lines().filter(l -> l.matches("n1\\s+leader\\s+.*"))).hasSize(1);
    }

    @Test
    void withoutAPasswordOrWithAWrongOneTheNodesRefusalIsShownAndTheExitStatusIsOne() {
        Run none = keelKv("members", "-p", port());
        assertThat(none.status()).isEqualTo(1);
        assertThat(none.err()).contains("NOAUTH");

        Run wrong = keelKv("members", "-p", port(), "--password", "not-it");
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(wrong.err()).contains("WRONGPASS");

        Run status = keelKv("status", "-p", port(), "--password", "not-it");
        assertThat(status.status()).as("no node could be asked").isNotZero();
        assertThat(status.out()).contains("WRONGPASS");
    }

    @Test
    void aUserWithoutTheAdminRightCannotRunTheAdminCommands() {
        Run transfer = keelKv("transfer", "n1", "-p", port(), "--user", "app", "--password", APP);
        assertThat(transfer.status()).isEqualTo(1);
        assertThat(transfer.err()).contains("NOPERM");
    }

    @Test
    void aUserWithoutAPasswordIsABadArgument() {
        Run run = keelKv("members", "-p", port(), "--user", "app");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--user needs a password: --password or KEEL_KV_PASSWORD");
    }
}
