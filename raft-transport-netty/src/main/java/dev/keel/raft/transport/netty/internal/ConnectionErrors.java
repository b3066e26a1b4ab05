package dev.keel.raft.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

import javax.net.ssl.SSLException;
import java.io.IOException;

/**
 * Sorts the exceptions that end a connection into what an operator needs to see: bad input and TLS failures are
 * counted and logged at WARN (rate-limited), plain I/O trouble such as a reset by a restarting peer is routine and
 * logged at DEBUG.
 */
final class ConnectionErrors {
    private ConnectionErrors() {
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
            // A bug rather than bad input: keep the stack trace.
            context.counters.connectionsClosedOnError.increment();
            context.badInputLog.warn(context.selfId + ": unexpected error on " + connection + " ("
                    + channel.remoteAddress() + "), closing it", cause);
        }
    }
}
