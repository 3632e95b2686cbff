package io.swimlog.membership;

import org.agrona.DirectBuffer;

/**
 * Carries the protocol's datagrams. The same protocol core runs over Aeron UDP and over the deterministic
 * in-memory simulator; this is all it knows of either.
 * <p>
 * Datagrams are unreliable: a send may be dropped, delayed, duplicated or reordered, and the protocol must
 * live with that. An endpoint is a {@code host:port} string held by the member it belongs to, so sending
 * allocates nothing.
 */
public interface Transport extends AutoCloseable
{
    /**
     * Sends one datagram. Returns {@code false} when it could not be sent now (back-pressure, not yet
     * connected, unknown host); the protocol treats that as a lost packet.
     */
    boolean send(String endpoint, DirectBuffer buffer, int offset, int length);

    /**
     * Delivers up to {@code limit} received datagrams to the handler, on the caller's thread.
     *
     * @return the number delivered, as work done for the duty cycle.
     */
    int poll(DatagramHandler handler, int limit);

    /**
     * The {@code host:port} that other members send to in order to reach this one.
     */
    String localEndpoint();

    void close();

    /**
     * Receives datagrams from {@link #poll(DatagramHandler, int)}. The buffer is only valid during the call.
     */
    @FunctionalInterface
    interface DatagramHandler
    {
        void onDatagram(DirectBuffer buffer, int offset, int length);
    }
}
