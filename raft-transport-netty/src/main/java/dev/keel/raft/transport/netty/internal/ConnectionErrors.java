package dev.keel.raft.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

import javax.net.ssl.SSLException;
import java.io.IOException;

/**
 * Sorts the exceptions that end a connection into what an operator needs to see: bad input and TLS failures are
 * counted and logged at WARN (rate-limited), plain I/O trouble such as a reset by a restarting peer is routine and
 * logged at DEBUG, and a fault inside this node (an {@link Error} such as {@link NoClassDefFoundError}, or an
 * unexpected exception) at ERROR with its stack trace, never disguised as a network problem.
 */
final class ConnectionErrors {
    private ConnectionErrors() {
    }

    /**
     * Whether {@code cause} arose inside this node rather than in the network or at the peer: errors (a class that
     * cannot be loaded or initialized, memory exhausted) and exceptions other than I/O and codec ones, which mean a
     * bug. A refused or reset connection, a timeout, bad bytes from the peer or a TLS failure are not.
     */
    static boolean isLocalFault(Throwable cause) {
        if (cause == null) {
            return false;
        }
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof Error) {
            return true;
        }
        return !(root instanceof IOException || root instanceof DecoderException
                || root instanceof InvalidWireDataException || root instanceof TooLongFrameException
                || root instanceof java.nio.channels.UnresolvedAddressException);
    }

    static void report(TransportContext context, Channel channel, String connection, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof SSLException) {
            context.counters.connectionsClosedOnError.increment();
            context.badInputLog.warn(context.selfId + ": TLS failure on " + connection + " ("
                    + channel.remoteAddress() + "), closing it: " + root.getMessage());
        } else if (root instanceof TooLongFrameException) {
            context.counters.connectionsClosedOnError.increment();
            context.badInputLog.warn(context.selfId + ": oversized frame on " + connection + " ("
                    + channel.remoteAddress() + "), closing it: " + root.getMessage() + " (maxFrameSize is "
                    + context.maxFrameSize + ")");
        } else if (cause instanceof DecoderException || root instanceof InvalidWireDataException) {
            context.counters.connectionsClosedOnError.increment();
            context.badInputLog.warn(context.selfId + ": bad input on " + connection + " ("
                    + channel.remoteAddress() + "), closing it: " + root.getMessage());
        } else if (root instanceof IOException) {
            TransportContext.LOG.debug("{}: I/O error on {} ({}): {}", context.selfId, connection,
                    channel.remoteAddress(), root.toString());
        } else {
            // Not bad input: a bug or a broken class path inside this node. Keep the stack trace.
            context.counters.connectionsClosedOnError.increment();
            context.localFaultLog.error(context.selfId + ": error inside this node on " + connection + " ("
                    + channel.remoteAddress() + "), closing it: " + root + ". This is a bug or a broken class path"
                    + " (for example another version of a library Keel uses hiding its own)", cause);
        }
    }
}
