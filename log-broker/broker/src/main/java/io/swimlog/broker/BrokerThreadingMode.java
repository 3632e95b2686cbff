package io.swimlog.broker;

/**
 * How a broker node with an embedded media driver spreads its work over threads (Aeron's threading modes, one
 * level up).
 */
public enum BrokerThreadingMode
{
    /**
     * The embedded driver on a thread of its own (its conductor, sender and receiver together) and the broker's
     * conductor on another: the two overlap, which is worth most to throughput.
     */
    DEDICATED,

    /**
     * The embedded driver run by the broker's conductor thread (Aeron's INVOKER mode): one thread receives a request,
     * appends it, answers it and sends the answer, in consecutive duty cycles, with no hand-off to a sleeping thread
     * in between. Fewer wake-ups per request is worth most to latency on machines whose idle cores are slow to wake.
     * Needs the embedded driver: with an external one there is no driver to run.
     */
    SHARED
}
