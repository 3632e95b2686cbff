package io.swimlog.membership;

import org.agrona.DirectBuffer;

/**
 * The transport of a test that drives a {@link MembershipCore} by hand: every send goes to a sink the test
 * records with, nothing is ever received (the test delivers datagrams itself), and sends always succeed.
 */
final class SendOnlyTransport implements Transport
{
    /** What a test does with each datagram the member sends, sealed as it would go on the wire. */
    @FunctionalInterface
    interface Sink
    {
        void onSend(String endpoint, DirectBuffer buffer, int offset, int length);
    }

    private final String localEndpoint;
    private final Sink sink;

    SendOnlyTransport(final String localEndpoint, final Sink sink)
    {
        this.localEndpoint = localEndpoint;
        this.sink = sink;
    }

    public boolean send(final String endpoint, final DirectBuffer buffer, final int offset, final int length)
    {
        sink.onSend(endpoint, buffer, offset, length);
        return true;
    }

    public int poll(final DatagramHandler handler, final int limit)
    {
        return 0;
    }

    public String localEndpoint()
    {
        return localEndpoint;
    }

    public void close()
    {
    }
}
