package io.swimlog.tools.netfault;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code membership run --json} line read as a script would: a flat JSON object of strings, whole numbers,
 * booleans and nulls. Anything else is rejected, since the command-line contract promises exactly that shape.
 */
final class EventLine
{
    private final String text;
    private int position;

    private EventLine(final String text)
    {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException when the line is not one flat JSON object.
     */
    static Map<String, Object> parse(final String line)
    {
        final EventLine parser = new EventLine(line.strip());
        final Map<String, Object> fields = parser.object();
        if (parser.position != parser.text.length())
        {
            throw new IllegalArgumentException("text after the object: " + line);
        }
        return fields;
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        expect('{');
        skipSpace();
        if (peek() == '}')
        {
            position++;
            return fields;
        }
        while (true)
        {
            skipSpace();
            final String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            fields.put(name, value());
            skipSpace();
            final char next = next();
            if (next == '}')
            {
                return fields;
            }
            if (next != ',')
            {
                throw new IllegalArgumentException("expected , or } at " + (position - 1) + ": " + text);
            }
        }
    }

    private Object value()
    {
        final char c = peek();
        if (c == '"')
        {
            return string();
        }
        if (text.startsWith("true", position))
        {
            position += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", position))
        {
            position += 5;
            return Boolean.FALSE;
        }
        if (text.startsWith("null", position))
        {
            position += 4;
            return null;
        }
        final int start = position;
        if (c == '-')
        {
            position++;
        }
        while (position < text.length() && Character.isDigit(text.charAt(position)))
        {
            position++;
        }
        if (start == position || (c == '-' && start + 1 == position))
        {
            throw new IllegalArgumentException("expected a value at " + start + ": " + text);
        }
        return Long.parseLong(text.substring(start, position));
    }

    private String string()
    {
        expect('"');
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            final char c = next();
            if (c == '"')
            {
                return sb.toString();
            }
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            final char escaped = next();
            switch (escaped)
            {
                case '"', '\\', '/' -> sb.append(escaped);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' ->
                {
                    if (position + 4 > text.length())
                    {
                        throw new IllegalArgumentException("truncated \\u escape: " + text);
                    }
                    sb.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    position += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + escaped + ": " + text);
            }
        }
    }

    private void skipSpace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private char peek()
    {
        if (position >= text.length())
        {
            throw new IllegalArgumentException("unexpected end: " + text);
        }
        return text.charAt(position);
    }

    private char next()
    {
        final char c = peek();
        position++;
        return c;
    }

    private void expect(final char c)
    {
        if (next() != c)
        {
            throw new IllegalArgumentException("expected " + c + " at " + (position - 1) + ": " + text);
        }
    }
}
