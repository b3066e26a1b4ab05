package dev.keel.raft.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runtime without Flight Recorder (a {@code jlink} image without {@code jdk.jfr}, as a trimmed container image may
 * be) runs Keel normally and records no events: every place that emits one (elections, leader changes, snapshots,
 * InstallSnapshot, forces of the log) is passed through in a JVM started with {@code --limit-modules} leaving
 * {@code jdk.jfr} out.
 */
class NoFlightRecorderTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheJfrModuleElectionsSnapshotsAndFsyncsWorkAndRecordNothing() throws Exception {
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Files.createDirectories(dir.resolve("data"));
        try (ChildJvm child = ChildJvm.start(NoFlightRecorderNode.class,
                List.of("-Xmx256m", "--limit-modules", String.join(",", modulesWithout("jdk.jfr"))),
                List.of(dir.resolve("data").toString()), out, err)) {
            // The child waits on each step with a deadline of its own (60 s), and there are four of them.
            int status = child.awaitExit(5, TimeUnit.MINUTES);
            List<String> lines = child.drain();
            String errors = Files.exists(err) ? Files.readString(err) : "";
            assertThat(status).as("exit status; output: " + lines + "; errors: " + errors).isZero();
            assertThat(lines).anyMatch(l -> l.startsWith("ok: ") && l.contains("installed snapshot"));
            assertThat(errors).doesNotContain("NoClassDefFoundError").doesNotContain("jdk/jfr");
        }
    }

    /** Every system module except {@code excluded} and those that need it, directly or not. */
    private static Set<String> modulesWithout(String excluded) {
        Map<String, ModuleDescriptor> all = ModuleFinder.ofSystem().findAll().stream()
                .map(ModuleReference::descriptor).collect(Collectors.toMap(ModuleDescriptor::name, d -> d));
        Set<String> out = new HashSet<>(Set.of(excluded));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (ModuleDescriptor d : all.values()) {
                if (!out.contains(d.name()) && d.requires().stream().anyMatch(r -> out.contains(r.name()))) {
                    out.add(d.name());
                    grew = true;
                }
            }
        }
        Set<String> kept = new TreeSet<>(all.keySet());
        kept.removeAll(out);
        assertThat(kept).contains("java.base", "java.logging").doesNotContain(excluded);
        return kept;
    }
}
