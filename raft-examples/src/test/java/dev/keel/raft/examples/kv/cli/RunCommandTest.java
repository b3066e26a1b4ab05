package dev.keel.raft.examples.kv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code keel-kv run} refuses bad configurations at start, with status 2 and a message saying what to fix. */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void unknownKeysAreReportedWithStatus2() throws IOException {
        Path config = write("id = \"n1\"\nclient_prot = 1\n");
        Result r = run("run", "--config", config.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("bad configuration", "unknown key 'client_prot'", "client_port");
    }

    @Test
    void flagsOverrideTheFileAndEveryProblemIsListed() throws IOException {
        Path config = write("id = \"n1\"\nclient_port = 7001\nraft_port = 7002\ndata_dir = \"d\"\npeers = []\n");
        Result r = run("run", "--config", config.toString(), "--raft-port", "7001",
                "--peer", "n1=127.0.0.1:9000,127.0.0.1:9001", "--peer", "n1=127.0.0.1:9002,127.0.0.1:9003");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("'client_port' and 'raft_port' are both 7001", "'n1' is used twice");
    }

    @Test
    void anUnwritableDataDirectoryIsReported() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Path config = write("id = \"n1\"\nclient_port = 7001\nraft_port = 7002\npeers = []\ndata_dir = \""
                + file.resolve("data") + "\"\n");
        Result r = run("run", "--config", config.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("is not a writable directory");
    }

    @Test
    void aMissingFileIsReported() {
        Result r = run("run", "--config", dir.resolve("nope.toml").toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("nope.toml: no such file");
    }

    private Path write(String toml) throws IOException {
        return Files.writeString(dir.resolve("node.toml"), toml);
    }

    private record Result(int status, String err) {
    }

    private static Result run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = new CommandLine(new KeelKv()).execute(args);
            return new Result(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }
}
