package io.swimlog.broker;

import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;

/**
 * The broker's counters, allocated in the media driver's counters file so that AeronStat and any monitoring
 * agent see them beside Aeron's own. Written by the conductor thread only; read from anywhere.
 */
public final class BrokerCounters implements AutoCloseable
{
    /**
     * Counter type id of every broker counter (Aeron reserves ids below 1000 for itself).
     */
    public static final int BROKER_COUNTER_TYPE_ID = 2001;

    private final Counter requests;
    private final Counter producedBatches;
    private final Counter producedRecords;
    private final Counter duplicateBatches;
    private final Counter fetches;
    private final Counter fetchedBytes;
    private final Counter errorResponses;
    private final Counter malformedMessages;
    private final Counter unknownSessionMessages;
    private final Counter sessionsOpened;
    private final Counter sessionsTimedOut;
    private final Counter refusedConnects;
    private final Counter backPressured;
    private final Counter openFetches;
    private final Counter errors;

    BrokerCounters(final Aeron aeron, final String nodeId)
    {
        requests = add(aeron, "requests", nodeId);
        producedBatches = add(aeron, "produced batches", nodeId);
        producedRecords = add(aeron, "produced records", nodeId);
        duplicateBatches = add(aeron, "duplicate batches answered", nodeId);
        fetches = add(aeron, "fetch responses", nodeId);
        fetchedBytes = add(aeron, "fetched bytes", nodeId);
        errorResponses = add(aeron, "error responses", nodeId);
        malformedMessages = add(aeron, "malformed messages dropped", nodeId);
        unknownSessionMessages = add(aeron, "unknown-session messages dropped", nodeId);
        sessionsOpened = add(aeron, "sessions opened", nodeId);
        sessionsTimedOut = add(aeron, "sessions timed out", nodeId);
        refusedConnects = add(aeron, "connects refused (max sessions)", nodeId);
        backPressured = add(aeron, "back-pressured responses", nodeId);
        openFetches = add(aeron, "open fetches", nodeId);
        errors = add(aeron, "errors", nodeId);
    }

    private static Counter add(final Aeron aeron, final String name, final String nodeId)
    {
        return aeron.addCounter(BROKER_COUNTER_TYPE_ID, "swimlog broker " + name + ": " + nodeId);
    }

    public Counter requests()
    {
        return requests;
    }

    public Counter producedBatches()
    {
        return producedBatches;
    }

    public Counter producedRecords()
    {
        return producedRecords;
    }

    public Counter duplicateBatches()
    {
        return duplicateBatches;
    }

    public Counter fetches()
    {
        return fetches;
    }

    public Counter fetchedBytes()
    {
        return fetchedBytes;
    }

    public Counter errorResponses()
    {
        return errorResponses;
    }

    public Counter malformedMessages()
    {
        return malformedMessages;
    }

    public Counter unknownSessionMessages()
    {
        return unknownSessionMessages;
    }

    public Counter sessionsOpened()
    {
        return sessionsOpened;
    }

    public Counter sessionsTimedOut()
    {
        return sessionsTimedOut;
    }

    public Counter refusedConnects()
    {
        return refusedConnects;
    }

    public Counter backPressured()
    {
        return backPressured;
    }

    /**
     * A gauge, not a total: the open fetches registered now (each answers again as data arrives).
     */
    public Counter openFetches()
    {
        return openFetches;
    }

    public Counter errors()
    {
        return errors;
    }

    public void close()
    {
        CloseHelper.closeAll(requests, producedBatches, producedRecords, duplicateBatches, fetches, fetchedBytes,
            errorResponses, malformedMessages, unknownSessionMessages, sessionsOpened, sessionsTimedOut, refusedConnects,
            backPressured, openFetches, errors);
    }
}
