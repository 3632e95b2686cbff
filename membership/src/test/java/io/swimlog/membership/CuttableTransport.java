package io.swimlog.membership;

import org.agrona.DirectBuffer;

/**
 * A transport whose wire can be cut, to crash a member in a test without letting it say goodbye: once
 * {@link #cut()}, nothing it sends leaves and everything sent to it is drained and dropped, as if its process
 * had died. Its member's thread keeps running; close it afterwards to release the wrapped transport's resources.
 */
public final class CuttableTransport implements Transport
{
    private static final DatagramHandler DROP = (buffer, offset, length) -> {};

    private final Transport delegate;
    private volatile boolean isCut;

    public CuttableTransport(final Transport delegate)
    {
        this.delegate = delegate;
    }

    public void cut()
    {
        isCut = true;
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
