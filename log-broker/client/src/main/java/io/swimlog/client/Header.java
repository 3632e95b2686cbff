package io.swimlog.client;

/**
 * A record header: a UTF-8 key and a value (null allowed).
 *
 * @param key   of the header.
 * @param value of the header, or null.
 */
public record Header(String key, byte[] value)
{
}
