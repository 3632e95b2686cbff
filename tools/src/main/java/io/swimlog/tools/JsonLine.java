package io.swimlog.tools;

/**
 * Builds one JSON object on one line, for {@code --json} output that scripts read a line at a time.
 * Field names are written as given (callers use stable, lower-case names); string values are escaped per
 * RFC 8259, so member ids and addresses from the network cannot break the line or the object.
 * <p>
 * Not thread-safe; one per line: {@code new JsonLine().field("event", "joined").field("time", t).toString()}.
 */
public final class JsonLine
{
    private final StringBuilder text = new StringBuilder(128).append('{');

    public JsonLine field(final String name, final String value)
    {
        name(name);
        if (null == value)
        {
            text.append("null");
        }
        else
        {
            string(value);
        }
        return this;
    }

    public JsonLine field(final String name, final long value)
    {
        name(name);
        text.append(value);
        return this;
    }

    public JsonLine field(final String name, final double value)
    {
        name(name);
        if (Double.isFinite(value))
        {
            text.append(value);
        }
        else
        {
            text.append("null");
        }
        return this;
    }

    public JsonLine field(final String name, final boolean value)
    {
        name(name);
        text.append(value);
        return this;
    }

    /**
     * @return the object, without a line separator.
     */
    public String toString()
    {
        return text + "}";
    }

    private void name(final String name)
    {
        if (text.length() > 1)
        {
            text.append(", ");
        }
        string(name);
        text.append(": ");
    }

    private void string(final String value)
    {
        text.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    text.append("\\\"");
                    break;
                case '\\':
                    text.append("\\\\");
                    break;
                case '\n':
                    text.append("\\n");
                    break;
                case '\r':
                    text.append("\\r");
                    break;
                case '\t':
                    text.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029)
                    {
                        // Control characters, and the two separators some JavaScript parsers treat as line ends.
                        text.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        text.append(c);
                    }
            }
        }
        text.append('"');
    }
}
