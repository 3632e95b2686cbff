package io.swimlog.tools.broker;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The small JSON pieces the broker commands write: escaped strings and the text-or-base64 rule of DESIGN.md
 * (bytes are written as UTF-8 text when they are valid UTF-8, else as base64 with a flag).
 */
final class Json
{
    private Json()
    {
    }

    static String string(final String value)
    {
        if (null == value)
        {
            return "null";
        }
        final StringBuilder text = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"': text.append("\\\""); break;
                case '\\': text.append("\\\\"); break;
                case '\n': text.append("\\n"); break;
                case '\r': text.append("\\r"); break;
                case '\t': text.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029)
                    {
                        text.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        text.append(c);
                    }
            }
        }
        return text.append('"').toString();
    }

    /**
     * @return the UTF-8 text of {@code bytes}, or null if they are not valid UTF-8.
     */
    static String utf8OrNull(final byte[] bytes)
    {
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    /**
     * Append {@code "name": value} and {@code "name_base64": flag} for bytes.
     */
    static void bytesField(final StringBuilder out, final String name, final byte[] bytes)
    {
        out.append(string(name)).append(": ");
        if (null == bytes)
        {
            out.append("null, ").append(string(name + "_base64")).append(": false");
            return;
        }
        final String text = utf8OrNull(bytes);
        if (null != text)
        {
            out.append(string(text)).append(", ").append(string(name + "_base64")).append(": false");
        }
        else
        {
            out.append(string(Base64.getEncoder().encodeToString(bytes))).append(", ")
                .append(string(name + "_base64")).append(": true");
        }
    }
}
