package dev.keel.raft.examples.kv.container;

import dev.keel.raft.examples.kv.image.ImageContext;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Builds the KV node's container image locally, pulling nothing, from the build context {@link ImageContext} writes
 * (the same one {@code raft-examples/build-image.sh} builds for operators) into {@code target/kv-image}; the runtime
 * is made once per build directory.
 */
final class KvImage {
    /** The repository part of the image name; the tag is a digest of what went in (see {@link #tag}). */
    static final String NAME = "keel-kv-it";
    private static String built;

    private KvImage() {
    }

    /** The image name, building it on first use. */
    static synchronized String get() {
        if (built == null) {
            Path target = Path.of("target");
            Path jar = target.resolve("keel-kv.jar");
            Path lib = target.resolve("lib");
            if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " or its lib/ is missing: the container tests "
                        + "run in 'mvn verify' after 'package'");
            }
            Path context = target.resolve("kv-image");
            try {
                ImageContext.prepare(context, jar, lib);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // Tagged by content, so that builds from different checkouts sharing one Docker engine never run each
            // other's jar under one name.
            built = new ImageFromDockerfile(NAME + ":" + tag(context), false)
                    .withFileFromPath(".", context).get();
        }
        return built;
    }

    /** A digest of the Dockerfile and the application files. */
    private static String tag(Path context) {
        Path app = context.resolve("app");
        try (Stream<Path> files = Files.walk(app)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(context.resolve("Dockerfile")));
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(app.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
