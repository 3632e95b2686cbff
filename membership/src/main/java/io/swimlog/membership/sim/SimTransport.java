package io.swimlog.membership.sim;

import io.swimlog.membership.Transport;
import org.agrona.DirectBuffer;

/**
 * One node's attachment to a {@link SimNetwork}. Sending schedules a delivery in virtual time; receiving is
 * driven by the network (the simulation hands each delivery straight to the node's core), so {@link #poll}
 * has nothing to do.
 */
public final class SimTransport implements Transport
{
    private final SimNetwork network;
    private final int node;
    private final String endpoint;

    public SimTransport(final SimNetwork network, final int node, final String endpoint)
    {
        this.network = network;
        this.node = node;
        this.endpoint = endpoint;
        network.attach(node, endpoint);
    }

    public boolean send(final String endpoint, final DirectBuffer buffer, final int offset, final int length)
    {
        return network.send(node, endpoint, buffer, offset, length);
    }

    public int poll(final DatagramHandler handler, final int limit)
    {
        return 0;
    }

    public String localEndpoint()
    {
        return endpoint;
    }

    public void close()
    {
    }
}
