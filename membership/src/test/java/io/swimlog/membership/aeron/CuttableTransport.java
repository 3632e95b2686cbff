package io.swimlog.membership.aeron;

import io.swimlog.membership.Transport;
import org.agrona.DirectBuffer;

/**
 * A transport whose wire can be cut, to crash a member in a test without letting it say goodbye: once
 * {@link #cut()}, nothing it sends leaves and everything sent to it is drained and dropped, as if its process
 * had died. Its member's thread keeps running; close it afterwards to release Aeron's resources.
 */
final class CuttableTransport implements Transport
{
    private static final DatagramHandler DROP = (buffer, offset, length) -> {};

    private final AeronTransport delegate;
    private volatile boolean isCut;

    CuttableTransport(final AeronTransport delegate)
    {
        this.delegate = delegate;
    }

    void cut()
    {
        isCut = true;
    }

    AeronTransport delegate()
    {
        return delegate;
    }

    public boolean send(final String endpoint, final DirectBuffer buffer, final int offset, final int length)
    {
        return !isCut && delegate.send(endpoint, buffer, offset, length);
    }

    public int poll(final DatagramHandler handler, final int limit)
    {
        return delegate.poll(isCut ? DROP : handler, limit);
    }

    public String localEndpoint()
    {
        return delegate.localEndpoint();
    }

    public void close()
    {
        delegate.close();
    }
}
