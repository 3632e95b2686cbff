package io.swimlog.membership;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a member has done and seen, readable from any thread while the membership thread writes.
 * <p>
 * Single writer (the membership thread) with ordered stores, so a reader sees each value move forward and
 * the writer pays no locked instruction. Messages are datagrams (a ping with its piggybacked updates is one).
 */
public final class MembershipCounters
{
    /** Every counter, by index, with its name for logs and JSON. */
    public enum Counter
    {
        PROBES("probes"),
        ACKS("acks"),
        NACKS("nacks"),
        INDIRECT_PROBES("indirect_probes"),
        SUSPICIONS("suspicions"),
        REFUTATIONS("refutations"),
        DEATHS("deaths"),
        MESSAGES_OUT("messages_out"),
        BYTES_OUT("bytes_out"),
        MESSAGES_IN("messages_in"),
        BYTES_IN("bytes_in"),
        SEND_FAILURES("send_failures"),
        HEALTH_SCORE("health_score"),
        PUSH_PULLS("push_pulls"),
        BROADCASTS_RECEIVED("broadcasts_received"),
        ONE_WAY_WARNINGS("one_way_warnings"),
        CONFLICTS("conflicts"),
        /** Queued updates and broadcasts dropped, most-sent first, because their queue was full. */
        BROADCASTS_DROPPED("broadcasts_dropped"),
        REJECTED_MALFORMED("rejected_malformed"),
        REJECTED_VERSION("rejected_version"),
        REJECTED_CLUSTER("rejected_cluster"),
        REJECTED_KEY("rejected_key"),
        REJECTED_PLAINTEXT("rejected_plaintext"),
        REJECTED_ENCRYPTED("rejected_encrypted"),
        REJECTED_SCHEMA("rejected_schema"),
        REJECTED_UNKNOWN_TEMPLATE("rejected_unknown_template"),
        REJECTED_TRUNCATED("rejected_truncated");

        private final String jsonName;

        Counter(final String jsonName)
        {
            this.jsonName = jsonName;
        }

        public String jsonName()
        {
            return jsonName;
        }
    }

    private static final Counter[] COUNTERS = Counter.values();

    private final AtomicLongArray values = new AtomicLongArray(COUNTERS.length);

    public long get(final Counter counter)
    {
        return values.get(counter.ordinal());
    }

    void increment(final Counter counter)
    {
        final int i = counter.ordinal();
        values.lazySet(i, values.get(i) + 1);
    }

    void add(final Counter counter, final long delta)
    {
        final int i = counter.ordinal();
        values.lazySet(i, values.get(i) + delta);
    }

    void set(final Counter counter, final long value)
    {
        values.lazySet(counter.ordinal(), value);
    }

    public long probes()
    {
        return get(Counter.PROBES);
    }

    public long acks()
    {
        return get(Counter.ACKS);
    }

    public long nacks()
    {
        return get(Counter.NACKS);
    }

    public long suspicions()
    {
        return get(Counter.SUSPICIONS);
    }

    public long refutations()
    {
        return get(Counter.REFUTATIONS);
    }

    public long deaths()
    {
        return get(Counter.DEATHS);
    }

    public long messagesOut()
    {
        return get(Counter.MESSAGES_OUT);
    }

    public long bytesOut()
    {
        return get(Counter.BYTES_OUT);
    }

    public long messagesIn()
    {
        return get(Counter.MESSAGES_IN);
    }

    public long bytesIn()
    {
        return get(Counter.BYTES_IN);
    }

    /**
     * Lifeguard's local health score: 0 is healthy.
     */
    public long healthScore()
    {
        return get(Counter.HEALTH_SCORE);
    }

    /**
     * Datagrams dropped on arrival, for any reason.
     */
    public long rejected()
    {
        long total = 0;
        for (final Counter counter : COUNTERS)
        {
            if (counter.name().startsWith("REJECTED_"))
            {
                total += get(counter);
            }
        }
        return total;
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder("{");
        for (final Counter counter : COUNTERS)
        {
            if (sb.length() > 1)
            {
                sb.append(", ");
            }
            sb.append('"').append(counter.jsonName()).append("\": ").append(get(counter));
        }
        return sb.append('}').toString();
    }
}
