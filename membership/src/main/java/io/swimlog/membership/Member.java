package io.swimlog.membership;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Immutable snapshot of one member as this member sees it.
 *
 * @param id          unique name of the member in its cluster.
 * @param endpoint    {@code host:port} its datagrams are sent to.
 * @param incarnation raised by the member itself to refute suspicion or publish new metadata.
 * @param state       as this member last learned it.
 * @param metadata    opaque bytes set by the member's application; never null, do not modify.
 */
public record Member(String id, String endpoint, long incarnation, MemberState state, byte[] metadata)
{
    /**
     * The metadata as UTF-8 text, for members that publish text.
     */
    public String metadataAsString()
    {
        return new String(metadata, StandardCharsets.UTF_8);
    }

    public boolean equals(final Object o)
    {
        return o instanceof Member m && id.equals(m.id) && endpoint.equals(m.endpoint) &&
            incarnation == m.incarnation && state == m.state && Arrays.equals(metadata, m.metadata);
    }

    public int hashCode()
    {
        return id.hashCode() * 31 + Long.hashCode(incarnation);
    }

    public String toString()
    {
        return "Member{" + id + ' ' + endpoint + " inc=" + incarnation + ' ' + state + " meta=" + metadata.length +
            "B}";
    }
}
