package dev.keel.raft.storage.internal;

import dev.keel.raft.log.SnapshotMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.TreeMap;

/**
 * Brings a snapshot directory to a known state at open: deletes the temporary files of snapshots whose writing never
 * finished, and verifies every committed snapshot in full (see {@link SnapshotVerifier}). A snapshot that fails is
 * never used: it is logged at WARN with the file and the reason and moved aside (renamed {@code *.unusable}) for an
 * operator to inspect, so that it is neither trusted nor silently destroyed, and is not checked again at every open.
 * A file that cannot be read at all (an I/O error rather than bad content) is skipped and left in place, since the
 * error may be passing.
 */
public final class SnapshotRecovery {
    private static final Logger log = LoggerFactory.getLogger(SnapshotRecovery.class);

    private SnapshotRecovery() {
    }

    /**
     * Recovers {@code directory}, which the caller has locked.
     *
     * @return the good snapshots by index
     */
    public static TreeMap<Long, SnapshotMetadata> recover(Path directory, ChannelFactory channels, boolean fsync)
            throws IOException {
        boolean changed = false;
        for (Path tmp : SnapshotFiles.listTemporaries(directory)) {
            log.info("Deleting {}: a snapshot whose writing was interrupted (crash or abandoned writer); it was "
                    + "never committed", tmp);
            Files.delete(tmp);
            changed = true;
        }
        TreeMap<Long, SnapshotMetadata> good = new TreeMap<>();
        for (Path file : SnapshotFiles.listSnapshots(directory)) {
            try {
                SnapshotMetadata meta = SnapshotVerifier.verify(channels, file);
                good.put(meta.index(), meta);
            } catch (CorruptSnapshotException e) {
                moveAside(file, e);
                changed = true;
            } catch (IOException e) {
                log.warn("Cannot read snapshot {} ({}); skipping it for now and leaving it in place", file,
                        e.toString());
            }
        }
        if (changed && fsync) {
            FileIo.fsyncDirectory(channels, directory);
        }
        return good;
    }

    private static void moveAside(Path file, CorruptSnapshotException e) {
        Path target = SnapshotFiles.unusablePath(file);
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            log.warn("Snapshot {} is unusable: {} (offset {}); moved it aside to {} and will not use it; the newest "
                    + "intact snapshot, if any, is used instead", file, e.reason(), e.offset(), target.getFileName());
        } catch (IOException moveFailed) {
            log.warn("Snapshot {} is unusable: {} (offset {}); it will not be used, and moving it aside failed ({}), "
                    + "so it stays in place", file, e.reason(), e.offset(), moveFailed.toString());
        }
    }
}
