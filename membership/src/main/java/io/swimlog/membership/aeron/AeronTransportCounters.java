package io.swimlog.membership.aeron;

import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;

/**
 * What an {@link AeronTransport} sent, received, dropped or refused, and how many peer publications it opened and
 * closed.
 * Each is an Aeron counter in the media driver's counters file, so {@code AeronStat} shows them beside the
 * driver's own (type id {@link #TYPE_ID}, label naming the transport's endpoint).
 * <p>
 * Written by the member's thread only; readable from any thread.
 */
public final class AeronTransportCounters implements AutoCloseable
{
    /** Counter type id of every transport counter; Aeron reserves ids below 1000 for its own. */
    public static final int TYPE_ID = 4_010;

    private final Counter oversizeSends;
    private final Counter fragmentedReceives;
    private final Counter notConnectedSends;
    private final Counter backPressuredSends;
    private final Counter expiredPending;
    private final Counter unreachableSends;
    private final Counter publicationsOpened;
    private final Counter publicationsClosed;
    private final Counter datagramsSent;
    private final Counter datagramsReceived;

    AeronTransportCounters(final Aeron aeron, final String endpoint)
    {
        oversizeSends = aeron.addCounter(TYPE_ID, "swimlog membership oversize sends: " + endpoint);
        fragmentedReceives = aeron.addCounter(TYPE_ID, "swimlog membership fragmented receives: " + endpoint);
        notConnectedSends = aeron.addCounter(TYPE_ID, "swimlog membership not connected sends: " + endpoint);
        backPressuredSends = aeron.addCounter(TYPE_ID, "swimlog membership back pressured sends: " + endpoint);
        expiredPending = aeron.addCounter(TYPE_ID, "swimlog membership expired pending datagrams: " + endpoint);
        unreachableSends = aeron.addCounter(TYPE_ID, "swimlog membership unreachable sends: " + endpoint);
        publicationsOpened = aeron.addCounter(TYPE_ID, "swimlog membership publications opened: " + endpoint);
        publicationsClosed = aeron.addCounter(TYPE_ID, "swimlog membership publications closed: " + endpoint);
        datagramsSent = aeron.addCounter(TYPE_ID, "swimlog membership datagrams sent: " + endpoint);
        datagramsReceived = aeron.addCounter(TYPE_ID, "swimlog membership datagrams received: " + endpoint);
    }

    /** Sends refused because the datagram does not fit one Aeron frame. */
    public long oversizeSends()
    {
        return oversizeSends.get();
    }

    /** Received fragments of multi-frame messages, dropped: members never send those. */
    public long fragmentedReceives()
    {
        return fragmentedReceives.get();
    }

    /** Sends refused because the peer's publication had no subscriber (peer down, or its connect window passed). */
    public long notConnectedSends()
    {
        return notConnectedSends.get();
    }

    /** Sends refused by back-pressure or an Aeron admin action. */
    public long backPressuredSends()
    {
        return backPressuredSends.get();
    }

    /** Datagrams queued for a connecting peer that were dropped: it did not connect in time or the queue was full. */
    public long expiredPending()
    {
        return expiredPending.get();
    }

    /** Sends refused because the driver could not open a publication to the peer (unknown host, bad endpoint). */
    public long unreachableSends()
    {
        return unreachableSends.get();
    }

    public long publicationsOpened()
    {
        return publicationsOpened.get();
    }

    public long publicationsClosed()
    {
        return publicationsClosed.get();
    }

    /** Datagrams Aeron took for sending (at once, or from the queue of a peer whose publication was connecting). */
    public long datagramsSent()
    {
        return datagramsSent.get();
    }

    /** Datagrams delivered to the member: the protocol's messages, without Aeron's own frames. */
    public long datagramsReceived()
    {
        return datagramsReceived.get();
    }

    void onDatagramsSent(final int count)
    {
        datagramsSent.getAndAddRelease(count);
    }

    void onDatagramReceived()
    {
        datagramsReceived.incrementRelease();
    }

    void onOversizeSend()
    {
        oversizeSends.incrementRelease();
    }

    void onFragmentedReceive()
    {
        fragmentedReceives.incrementRelease();
    }

    void onNotConnectedSend()
    {
        notConnectedSends.incrementRelease();
    }

    void onBackPressuredSend()
    {
        backPressuredSends.incrementRelease();
    }

    void onExpiredPending(final int count)
    {
        expiredPending.getAndAddRelease(count);
    }

    void onUnreachableSend()
    {
        unreachableSends.incrementRelease();
    }

    void onPublicationOpened()
    {
        publicationsOpened.incrementRelease();
    }

    void onPublicationClosed()
    {
        publicationsClosed.incrementRelease();
    }

    public String toString()
    {
        return "AeronTransportCounters{oversizeSends=" + oversizeSends() +
            ", fragmentedReceives=" + fragmentedReceives() +
            ", notConnectedSends=" + notConnectedSends() +
            ", backPressuredSends=" + backPressuredSends() +
            ", expiredPending=" + expiredPending() +
            ", unreachableSends=" + unreachableSends() +
            ", publicationsOpened=" + publicationsOpened() +
            ", publicationsClosed=" + publicationsClosed() +
            ", datagramsSent=" + datagramsSent() +
            ", datagramsReceived=" + datagramsReceived() + '}';
    }

    public void close()
    {
        CloseHelper.closeAll(oversizeSends, fragmentedReceives, notConnectedSends, backPressuredSends, expiredPending,
            unreachableSends, publicationsOpened, publicationsClosed, datagramsSent, datagramsReceived);
    }

    void close(final ErrorHandler errorHandler)
    {
        CloseHelper.closeAll(errorHandler, oversizeSends, fragmentedReceives, notConnectedSends, backPressuredSends,
            expiredPending, unreachableSends, publicationsOpened, publicationsClosed, datagramsSent, datagramsReceived);
    }
}
