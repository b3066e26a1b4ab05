package dev.keel.raft.internal;

import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.runtime.ThreadScheduler;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consensus core must be deterministic: no clock, thread, sleep, socket, file or concurrency utility in the
 * engine packages. Checked on the compiled bytecode (the constant pool of every class), so that fully qualified
 * names and indirect uses are caught too.
 */
class DeterminismTest {
    private static final List<String> PURE_PACKAGES = List.of(
            "dev/keel/raft/internal/engine", "dev/keel/raft/internal/role", "dev/keel/raft/internal/quorum",
            "dev/keel/raft/internal/progress", "dev/keel/raft/internal/read", "dev/keel/raft/internal/log",
            "dev/keel/raft/internal/transfer");

    private static final List<String> FORBIDDEN_CLASS_PREFIXES = List.of(
            "java/lang/Thread", "java/lang/Runnable", "java/util/concurrent/", "java/net/", "java/nio/file/",
            "java/nio/channels/", "java/io/File", "java/time/Clock", "java/time/Instant", "java/time/LocalDateTime",
            "java/util/Random", "java/util/Timer", "java/lang/ProcessBuilder", "java/lang/Runtime", "jdk/jfr/");

    private static final Set<String> FORBIDDEN_METHODS = Set.of(
            "java/lang/System.currentTimeMillis", "java/lang/System.nanoTime", "java/lang/Math.random",
            "java/lang/Object.wait", "java/util/concurrent/ThreadLocalRandom.current");

    @Test
    void theEnginePackagesUseNoClockThreadSleepSocketOrFile() throws Exception {
        Path root = classesRoot(RaftEngine.class);
        List<String> violations = new ArrayList<>();
        int scanned = 0;
        for (String pkg : PURE_PACKAGES) {
            try (Stream<Path> files = Files.list(root.resolve(pkg))) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                    scanned++;
                    for (String v : forbiddenReferences(f)) {
                        violations.add(root.relativize(f) + " uses " + v);
                    }
                }
            }
        }
        assertThat(scanned).as("classes scanned").isGreaterThan(15);
        assertThat(violations).isEmpty();
    }

    @Test
    void theCheckDetectsThreadsAndClocksWhereTheyAreUsed() throws Exception {
        Path root = classesRoot(ThreadScheduler.class);
        Set<String> found = forbiddenReferences(root.resolve("dev/keel/raft/internal/runtime/ThreadScheduler.class"));
        assertThat(found).anyMatch(s -> s.startsWith("java/lang/Thread"))
                .anyMatch(s -> s.startsWith("java/util/concurrent/"));
        Set<String> inThisTest = forbiddenReferences(classesRoot(DeterminismTest.class)
                .resolve("dev/keel/raft/internal/DeterminismTest$Sample.class"));
        assertThat(inThisTest).contains("java/lang/System.nanoTime");
    }

    /** Compiled only to prove the scanner finds a clock read. */
    static final class Sample {
        long now() {
            return System.nanoTime();
        }
    }

    private static Path classesRoot(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Class and method references in a class file's constant pool that the pure packages must not make. */
    static Set<String> forbiddenReferences(Path classFile) throws IOException {
        Set<String> out = new TreeSet<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            ConstantPool pool = ConstantPool.read(data);
            for (String cls : pool.classNames()) {
                String name = cls.replaceFirst("^\\[*L?", "").replace(";", "");
                for (String prefix : FORBIDDEN_CLASS_PREFIXES) {
                    if (name.startsWith(prefix)) {
                        out.add(name);
                    }
                }
            }
            for (String m : pool.methodReferences()) {
                if (FORBIDDEN_METHODS.contains(m)) {
                    out.add(m);
                }
            }
            for (String desc : pool.utf8()) {
                // Field and method descriptors name types that may never appear as a class constant.
                for (String prefix : FORBIDDEN_CLASS_PREFIXES) {
                    if (desc.contains("L" + prefix)) {
                        out.add("descriptor " + desc);
                    }
                }
            }
        }
        return out;
    }

    /** The parts of a class file's constant pool (JVMS §4.4) this check needs. */
    private record ConstantPool(Object[] entries, int[] tags) {
        static ConstantPool read(DataInputStream in) throws IOException {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            Object[] entries = new Object[count];
            int[] tags = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                tags[i] = tag;
                switch (tag) {
                    case 1 -> entries[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> entries[i] = new int[]{in.readUnsignedShort()};
                    case 9, 10, 11, 12, 17, 18 -> entries[i] = new int[]{in.readUnsignedShort(), in.readUnsignedShort()};
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            return new ConstantPool(entries, tags);
        }

        private String utf8(int index) {
            return (String) entries[index];
        }

        List<String> classNames() {
            List<String> out = new ArrayList<>();
            for (int i = 1; i < tags.length; i++) {
                if (tags[i] == 7) {
                    out.add(utf8(((int[]) entries[i])[0]));
                }
            }
            return out;
        }

        List<String> methodReferences() {
            List<String> out = new ArrayList<>();
            for (int i = 1; i < tags.length; i++) {
                if (tags[i] == 10 || tags[i] == 11) {
                    int[] ref = (int[]) entries[i];
                    String owner = utf8(((int[]) entries[ref[0]])[0]);
                    String name = utf8(((int[]) entries[ref[1]])[0]);
                    out.add(owner + "." + name);
                }
            }
            return out;
        }

        List<String> utf8() {
            List<String> out = new ArrayList<>();
            for (int i = 1; i < tags.length; i++) {
                if (tags[i] == 1) {
                    out.add(utf8(i));
                }
            }
            return out;
        }
    }
}
