package io.swimlog.tools;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one flat JSON object (string, number, boolean and null values), the shape of every {@code --json}
 * line: enough for tests to check output as a script would, without a JSON library.
 */
public final class FlatJson
{
    private final String text;
    private int position;

    private FlatJson(final String text)
    {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException when the line is not one flat JSON object.
     */
    public static Map<String, Object> parse(final String line)
    {
        return new FlatJson(line.strip()).object();
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        expect('{');
        skipSpace();
        if (peek() == '}')
        {
            position++;
            return end(fields);
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
            final char c = next();
            if (c == '}')
            {
                return end(fields);
            }
            if (c != ',')
            {
                throw error("expected , or }");
            }
        }
    }

    private Map<String, Object> end(final Map<String, Object> fields)
    {
        if (position != text.length())
        {
            throw error("text after the object");
        }
        return fields;
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
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
        final String number = text.substring(start, position);
        if (number.isEmpty())
        {
            throw error("expected a value");
        }
        return number.contains(".") || number.contains("e") || number.contains("E") ?
            (Object)Double.parseDouble(number) : (Object)Long.parseLong(number);
    }

    private String string()
    {
        expect('"');
        final StringBuilder value = new StringBuilder();
        while (true)
        {
            final char c = next();
            if (c == '"')
            {
                return value.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in a string");
            }
            if (c != '\\')
            {
                value.append(c);
                continue;
            }
            final char escaped = next();
            switch (escaped)
            {
                case '"', '\\', '/' -> value.append(escaped);
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'u' ->
                {
                    value.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    position += 4;
                }
                default -> throw error("bad escape");
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
            throw error("unexpected end");
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
            throw error("expected " + c);
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException(what + " at " + position + " in: " + text);
    }
}
