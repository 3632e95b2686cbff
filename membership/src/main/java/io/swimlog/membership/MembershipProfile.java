package io.swimlog.membership;

/**
 * Timing presets, equal to memberlist's {@code DefaultLANConfig}, {@code DefaultWANConfig} and
 * {@code DefaultLocalConfig} so that figures compare with memberlist's. Swimlog's own additions (dead member
 * reclaim, re-probing of the dead and the seeds) are scaled alongside.
 */
public enum MembershipProfile
{
    /** A data centre: memberlist's defaults. */
    LAN(1_000, 500, 3, 4, 6, 4, 200, 3, 30_000, 30_000, 8, 300_000, 10_000),
    /** Across data centres: slower probes, more patience. */
    WAN(5_000, 3_000, 3, 6, 6, 4, 500, 4, 60_000, 60_000, 8, 600_000, 30_000),
    /** One machine or a fast, reliable network: quicker detection. */
    LOCAL(1_000, 200, 1, 3, 6, 2, 100, 3, 15_000, 15_000, 8, 120_000, 5_000);

    final long probeIntervalMs;
    final long probeTimeoutMs;
    final int indirectChecks;
    final int suspicionMult;
    final int suspicionMaxTimeoutMult;
    final int retransmitMult;
    final long gossipIntervalMs;
    final int gossipNodes;
    final long pushPullIntervalMs;
    final long gossipToTheDeadTimeMs;
    final int awarenessMaxMultiplier;
    final long deadReclaimTimeMs;
    final long reconnectIntervalMs;

    MembershipProfile(
        final long probeIntervalMs,
        final long probeTimeoutMs,
        final int indirectChecks,
        final int suspicionMult,
        final int suspicionMaxTimeoutMult,
        final int retransmitMult,
        final long gossipIntervalMs,
        final int gossipNodes,
        final long pushPullIntervalMs,
        final long gossipToTheDeadTimeMs,
        final int awarenessMaxMultiplier,
        final long deadReclaimTimeMs,
        final long reconnectIntervalMs)
    {
        this.probeIntervalMs = probeIntervalMs;
        this.probeTimeoutMs = probeTimeoutMs;
        this.indirectChecks = indirectChecks;
        this.suspicionMult = suspicionMult;
        this.suspicionMaxTimeoutMult = suspicionMaxTimeoutMult;
        this.retransmitMult = retransmitMult;
        this.gossipIntervalMs = gossipIntervalMs;
        this.gossipNodes = gossipNodes;
        this.pushPullIntervalMs = pushPullIntervalMs;
        this.gossipToTheDeadTimeMs = gossipToTheDeadTimeMs;
        this.awarenessMaxMultiplier = awarenessMaxMultiplier;
        this.deadReclaimTimeMs = deadReclaimTimeMs;
        this.reconnectIntervalMs = reconnectIntervalMs;
    }

    public long probeIntervalMs()
    {
        return probeIntervalMs;
    }

    public long probeTimeoutMs()
    {
        return probeTimeoutMs;
    }

    public int indirectChecks()
    {
        return indirectChecks;
    }

    public int suspicionMult()
    {
        return suspicionMult;
    }

    public int suspicionMaxTimeoutMult()
    {
        return suspicionMaxTimeoutMult;
    }

    public int retransmitMult()
    {
        return retransmitMult;
    }

    public long gossipIntervalMs()
    {
        return gossipIntervalMs;
    }

    public int gossipNodes()
    {
        return gossipNodes;
    }

    public long pushPullIntervalMs()
    {
        return pushPullIntervalMs;
    }

    public long gossipToTheDeadTimeMs()
    {
        return gossipToTheDeadTimeMs;
    }

    public int awarenessMaxMultiplier()
    {
        return awarenessMaxMultiplier;
    }

    public long deadReclaimTimeMs()
    {
        return deadReclaimTimeMs;
    }

    public long reconnectIntervalMs()
    {
        return reconnectIntervalMs;
    }
}
