package io.swimlog.membership.sim;

import io.swimlog.membership.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory datagram network in real time, for running several {@link io.swimlog.membership.Membership}
 * instances in one process without sockets (examples, tests). Each endpoint has a bounded queue; a send to a full
 * queue or an unknown endpoint is lost, like UDP. It copies each datagram, so it is not for measuring.
 * <p>
 * Thread safe: members send from their own threads.
 */
public final class LoopbackNetwork
{
    private static final int QUEUE_CAPACITY = 4096;

    private final Map<String, ManyToOneConcurrentArrayQueue<byte[]>> queues = new ConcurrentHashMap<>();

    /**
     * A transport bound to {@code endpoint} on this network; closing it unbinds the endpoint.
     */
    public Transport bind(final String endpoint)
    {
        final ManyToOneConcurrentArrayQueue<byte[]> queue = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
        if (queues.putIfAbsent(endpoint, queue) != null)
        {
            throw new IllegalStateException("endpoint already bound: " + endpoint);
        }
        return new LoopbackTransport(endpoint, queue);
    }

    private final class LoopbackTransport implements Transport
    {
        private final String endpoint;
        private final ManyToOneConcurrentArrayQueue<byte[]> queue;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        LoopbackTransport(final String endpoint, final ManyToOneConcurrentArrayQueue<byte[]> queue)
        {
            this.endpoint = endpoint;
            this.queue = queue;
        }

        public boolean send(final String to, final DirectBuffer buffer, final int offset, final int length)
        {
            final ManyToOneConcurrentArrayQueue<byte[]> destination = queues.get(to);
            if (destination != null)
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                destination.offer(copy);
            }
            return true;
        }

        public int poll(final DatagramHandler handler, final int limit)
        {
            int count = 0;
            byte[] datagram;
            while (count < limit && (datagram = queue.poll()) != null)
            {
                view.wrap(datagram);
                handler.onDatagram(view, 0, datagram.length);
                count++;
            }
            return count;
        }

        public String localEndpoint()
        {
            return endpoint;
        }

        public void close()
        {
            queues.remove(endpoint, queue);
        }
    }
}
