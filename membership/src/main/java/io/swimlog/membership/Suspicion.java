package io.swimlog.membership;

/**
 * Lifeguard's suspicion timer for one suspected member. It starts at {@code max} and shrinks towards
 * {@code min} as independent members confirm the suspicion: after {@code n} of the {@code k} expected
 * confirmations the timeout is {@code max - (max - min) * log(n + 1) / log(k + 1)}, measured from the start.
 * So a member suspected by many is declared dead quickly, and a lone accuser (perhaps the slow one) waits long.
 * <p>
 * Pure timer math: no clock, the caller passes the time. Not thread safe: owned by the membership thread.
 */
public final class Suspicion
{
    private final int k;
    private final long minTimeoutNs;
    private final long maxTimeoutNs;
    private final long startNs;
    private final Object[] confirmedBy;
    private int n;
    private long deadlineNs;
    private int lastChancesTaken;

    /** State requests sent to an unconfirmed suspect before it is declared dead: all must go unanswered. */
    public static final int LAST_CHANCES = 3;

    /**
     * @param from         who raised the suspicion: its later messages do not count as confirmations.
     * @param k            confirmations expected before the timeout reaches {@code min} (0: always {@code min}).
     * @param minTimeoutNs the shortest timeout.
     * @param maxTimeoutNs the timeout with no confirmation.
     * @param nowNs        when the suspicion started.
     */
    public Suspicion(final Object from, final int k, final long minTimeoutNs, final long maxTimeoutNs, final long nowNs)
    {
        this.k = Math.max(0, k);
        this.minTimeoutNs = minTimeoutNs;
        this.maxTimeoutNs = maxTimeoutNs;
        this.startNs = nowNs;
        this.confirmedBy = new Object[this.k + 1];
        confirmedBy[0] = from;
        // With no confirmations to wait for, the timeout is the minimum (as memberlist's k < 1 case).
        deadlineNs = nowNs + (k < 1 ? minTimeoutNs : maxTimeoutNs);
    }

    /**
     * Records an independent confirmation from {@code from} (members are compared by identity).
     *
     * @return true if it was new and so shortened the timer (the caller then re-gossips the suspicion).
     */
    public boolean confirm(final Object from)
    {
        if (n >= k || from == null)
        {
            return false;
        }
        for (int i = 0; i <= n; i++)
        {
            if (confirmedBy[i] == from)
            {
                return false;
            }
        }
        n++;
        confirmedBy[n] = from;
        deadlineNs = startNs + timeoutNs(n, k, minTimeoutNs, maxTimeoutNs);
        return true;
    }

    public long deadlineNs()
    {
        return deadlineNs;
    }

    /**
     * Whether, at expiry, the suspect deserves a last direct check: nobody confirmed the suspicion, so the only
     * evidence is one accuser's, and a refutation may simply have missed this member.
     */
    public boolean deservesLastChance()
    {
        return lastChancesTaken < LAST_CHANCES && n < k;
    }

    /**
     * Takes one of the {@link #LAST_CHANCES}: the timer runs until {@code deadlineNs} at least.
     */
    public void takeLastChance(final long deadlineNs)
    {
        lastChancesTaken++;
        this.deadlineNs = Math.max(this.deadlineNs, deadlineNs);
    }

    public int confirmations()
    {
        return n;
    }

    /**
     * Timeout after {@code n} of {@code k} confirmations, never below {@code min}.
     */
    public static long timeoutNs(final int n, final int k, final long minNs, final long maxNs)
    {
        if (k < 1)
        {
            return minNs;
        }
        final double fraction = Math.log(n + 1.0) / Math.log(k + 1.0);
        final double raw = maxNs - fraction * (maxNs - minNs);
        return Math.max(minNs, (long)Math.floor(raw));
    }

    /**
     * The minimum suspicion timeout for a cluster of {@code clusterSize}: {@code mult * max(1, log10(n)) * interval},
     * so it grows slowly with the time gossip needs to reach everyone.
     */
    public static long minTimeoutNs(final int suspicionMult, final int clusterSize, final long probeIntervalNs)
    {
        final double nodeScale = Math.max(1.0, Math.log10(Math.max(1.0, clusterSize)));
        return (long)(suspicionMult * nodeScale * probeIntervalNs);
    }

    /**
     * Confirmations worth waiting for: {@code suspicionMult - 2}, or 0 when the cluster is too small to give them.
     */
    public static int expectedConfirmations(final int suspicionMult, final int clusterSize)
    {
        final int k = suspicionMult - 2;
        return clusterSize - 2 < k ? 0 : Math.max(0, k);
    }
}
