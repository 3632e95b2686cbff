package io.swimlog.membership.udp;

import io.swimlog.membership.Endpoints;
import io.swimlog.membership.Transport;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The protocol's datagrams as plain UDP, one socket, no media driver: on the wire there is nothing but the
 * protocol (as memberlist's UDP transport: a probe and its ack are two packets), where {@code AeronTransport}
 * adds a publication's setup, heartbeats and status messages to every peer it talks to. Nothing is retransmitted:
 * a lost datagram is lost, which SWIM is built for (a failing probe's second ping and indirect probes, the
 * suspect's last chance, push-pull). Choose it to embed membership without running a media driver, or to send
 * the fewest packets; choose Aeron for datagrams that survive loss on the wire.
 * <p>
 * Sending allocates nothing once a peer's address is resolved (resolved once per endpoint and kept; the cache is
 * emptied if it ever holds {@link #MAX_CACHED_ADDRESSES}); receiving allocates nothing from the sender of the
 * datagram before (the JDK's channel keeps that sender's address) and an address object from any other.
 * Threading: one thread sends and polls (the member's duty cycle), as for every {@link Transport}.
 */
public final class UdpTransport implements Transport
{
    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM_LENGTH = 65_507;
    /** Socket buffers: room for a burst of push-pull chunks (a whole view of 10,000 members is ~400 KB). */
    public static final int SOCKET_BUFFER_LENGTH = 2 * 1024 * 1024;
    static final int MAX_CACHED_ADDRESSES = 65_536;

    private final DatagramChannel channel;
    private final String localEndpoint;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_LENGTH);
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_LENGTH);
    private final UnsafeBuffer received = new UnsafeBuffer(receiveBuffer);
    private final Object2ObjectHashMap<String, InetSocketAddress> addresses = new Object2ObjectHashMap<>();

    private UdpTransport(final DatagramChannel channel, final String localEndpoint)
    {
        this.channel = channel;
        this.localEndpoint = localEndpoint;
    }

    /**
     * Binds a non-blocking UDP socket.
     *
     * @param bind {@code host:port} to listen on and be reached at; port 0 takes a free port, which
     *             {@link #localEndpoint()} then names.
     * @return the open transport.
     * @throws IllegalArgumentException when {@code bind} is not {@code host:port}.
     * @throws UncheckedIOException     when the socket cannot be bound (a port in use, an address not on this host).
     */
    public static UdpTransport open(final String bind)
    {
        final int port = Endpoints.requireHostPort(bind);
        final InetSocketAddress address = new InetSocketAddress(host(bind), port);
        if (address.isUnresolved())
        {
            throw new IllegalArgumentException("'" + bind + "': unknown host");
        }
        DatagramChannel channel = null;
        try
        {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_LENGTH);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_LENGTH);
            channel.bind(address);
            channel.configureBlocking(false);
            final int boundPort = ((InetSocketAddress)channel.getLocalAddress()).getPort();
            return new UdpTransport(channel, 0 == port ? Endpoints.withPort(bind, boundPort) : bind);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot bind UDP " + bind + ": " + ex.getMessage(), ex);
        }
    }

    public boolean send(
        final String endpoint, final DirectBuffer buffer, final int offset, final int length)
    {
        final InetSocketAddress address = address(endpoint);
        if (null == address || length > MAX_DATAGRAM_LENGTH)
        {
            return false;
        }
        sendBuffer.clear();
        buffer.getBytes(offset, sendBuffer, 0, length);
        sendBuffer.limit(length);
        try
        {
            // A full socket buffer sends nothing (0): a lost datagram, as the protocol expects of UDP.
            return channel.send(sendBuffer, address) == length;
        }
        catch (final IOException ex)
        {
            return false; // unreachable network, a closed socket: lost
        }
    }

    public int poll(final DatagramHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit)
        {
            receiveBuffer.clear();
            try
            {
                if (null == channel.receive(receiveBuffer))
                {
                    break;
                }
            }
            catch (final IOException ex)
            {
                break; // nothing to read now; a socket error shows again on the next poll or send
            }
            handler.onDatagram(received, 0, receiveBuffer.position());
            count++;
        }
        return count;
    }

    public String localEndpoint()
    {
        return localEndpoint;
    }

    public void close()
    {
        closeQuietly(channel);
    }

    public String toString()
    {
        return "UdpTransport{localEndpoint=" + localEndpoint + '}';
    }

    /**
     * The resolved address of an endpoint, or null when its host cannot be resolved (a send that is lost).
     */
    private InetSocketAddress address(final String endpoint)
    {
        InetSocketAddress address = addresses.get(endpoint);
        if (null == address)
        {
            try
            {
                final int port = Endpoints.requireHostPort(endpoint);
                address = new InetSocketAddress(host(endpoint), port);
            }
            catch (final IllegalArgumentException ex)
            {
                return null;
            }
            if (address.isUnresolved())
            {
                return null;
            }
            if (addresses.size() >= MAX_CACHED_ADDRESSES)
            {
                addresses.clear(); // endpoints of members long gone; the live ones resolve again
            }
            addresses.put(endpoint, address);
        }
        return address;
    }

    private static String host(final String endpoint)
    {
        final String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static void closeQuietly(final DatagramChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Closing a datagram socket has nothing to flush; there is nothing to do about a failure.
            }
        }
    }
}
