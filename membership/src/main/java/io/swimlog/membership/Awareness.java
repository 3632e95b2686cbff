package io.swimlog.membership;

/**
 * Lifeguard's local health score: a member that misses acks, hears nacks or has to refute suspicion of itself
 * is probably the slow one, so it stretches its own probe interval and timeout instead of accusing healthy
 * peers. A good probe lowers the score again.
 * <p>
 * Invariant: {@code 0 <= score < maxMultiplier}. Not thread safe: owned by the membership thread.
 */
public final class Awareness
{
    private final int maxMultiplier;
    private int score;

    public Awareness(final int maxMultiplier)
    {
        if (maxMultiplier < 1)
        {
            throw new IllegalArgumentException("awareness max multiplier must be at least 1: " + maxMultiplier);
        }
        this.maxMultiplier = maxMultiplier;
    }

    /**
     * Adds {@code delta} (negative for good news) to the score, clamped to {@code [0, maxMultiplier - 1]}.
     */
    public void applyDelta(final int delta)
    {
        final long next = (long)score + delta;
        score = (int)Math.max(0, Math.min(maxMultiplier - 1, next));
    }

    /**
     * 0 is healthy; higher is worse.
     */
    public int score()
    {
        return score;
    }

    /**
     * A timeout stretched by the current health: {@code timeout * (score + 1)}.
     */
    public long scaleTimeout(final long timeout)
    {
        return timeout * (score + 1);
    }
}
