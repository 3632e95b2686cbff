package io.swimlog.membership;

/**
 * Checks {@code host:port} endpoints, the form in which members name each other and UDP endpoints are named.
 * IPv6 hosts are written in brackets: {@code [::1]:7946}.
 */
public final class Endpoints
{
    private Endpoints()
    {
    }

    /**
     * @return the port of a {@code host:port} endpoint.
     * @throws IllegalArgumentException with a sentence a user can act on when it is not one.
     */
    public static int requireHostPort(final String endpoint)
    {
        final int colon = null == endpoint ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            throw new IllegalArgumentException("'" + endpoint + "' is not host:port");
        }
        final String host = endpoint.substring(0, colon);
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]")))
        {
            throw new IllegalArgumentException("'" + endpoint + "' is not host:port (write IPv6 hosts in brackets)");
        }
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (Character.isWhitespace(c) || c == '|' || c == '?' || c == '=' || c == '/')
            {
                throw new IllegalArgumentException("'" + endpoint + "' has an invalid host");
            }
        }
        final int port;
        try
        {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + endpoint + "' has an invalid port");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("'" + endpoint + "' has a port outside 0-65535");
        }
        return port;
    }

    /**
     * The port of an endpoint already checked by {@link #requireHostPort(String)}.
     */
    public static int port(final String endpoint)
    {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /**
     * The same endpoint with another port: {@code withPort("127.0.0.1:7000", 7001)} is {@code "127.0.0.1:7001"}.
     */
    public static String withPort(final String endpoint, final int port)
    {
        return endpoint.substring(0, endpoint.lastIndexOf(':') + 1) + port;
    }
}
