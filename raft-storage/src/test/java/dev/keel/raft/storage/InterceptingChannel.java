package dev.keel.raft.storage;

import dev.keel.raft.storage.internal.ChannelFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A {@link FileChannel} that delegates to a real one and lets a test see or fail each mutating call: the seam for
 * I/O-error and power-loss tests.
 */
final class InterceptingChannel extends FileChannel {

    /** Called around the channel operations that change the file or make it durable. */
    interface Interceptor {
        default void beforeOpen(Path path, OpenOption... options) throws IOException {
        }

        default void beforeWrite(Path path, long position, int bytes) throws IOException {
        }

        default void beforeForce(Path path) throws IOException {
        }

        /** After a successful force: the file's size at that moment is durable. */
        default void afterForce(Path path, long size) {
        }

        default void beforeTruncate(Path path, long size) throws IOException {
        }
    }

    private final FileChannel delegate;
    private final Path path;
    private final Interceptor interceptor;

    private InterceptingChannel(FileChannel delegate, Path path, Interceptor interceptor) {
        this.delegate = delegate;
        this.path = path;
        this.interceptor = interceptor;
    }

    static ChannelFactory factory(Interceptor interceptor) {
        return (path, options) -> {
            interceptor.beforeOpen(path, options);
            return new InterceptingChannel(FileChannel.open(path, options), path, interceptor);
        };
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        interceptor.beforeWrite(path, delegate.position(), src.remaining());
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        interceptor.beforeWrite(path, delegate.position(), (int) total);
        return delegate.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        interceptor.beforeTruncate(path, size);
        delegate.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        interceptor.beforeForce(path);
        delegate.force(metaData);
        interceptor.afterForce(path, delegate.size());
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        interceptor.beforeWrite(path, position, (int) Math.min(Integer.MAX_VALUE, count));
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        interceptor.beforeWrite(path, position, src.remaining());
        return delegate.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
