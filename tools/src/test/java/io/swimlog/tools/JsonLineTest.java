package io.swimlog.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class JsonLineTest
{
    @Test
    void writesFieldsInOrderOnOneLine()
    {
        final String line = new JsonLine()
            .field("time", 1_700_000_000_000L)
            .field("event", "joined")
            .field("member", "node-1")
            .field("incarnation", 3)
            .field("healthy", true)
            .toString();

        assertThat(line).isEqualTo(
            "{\"time\": 1700000000000, \"event\": \"joined\", \"member\": \"node-1\", \"incarnation\": 3, " +
            "\"healthy\": true}");
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters()
    {
        final String line = new JsonLine().field("member", "a\"b\\c\nd\te\u0001\u2028").toString();

        assertThat(line).isEqualTo("{\"member\": \"a\\\"b\\\\c\\nd\\te\\u0001\\u2028\"}");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void writesNullForMissingStringsAndNonFiniteNumbers()
    {
        assertThat(new JsonLine().field("address", (String)null).field("rate", Double.NaN).toString())
            .isEqualTo("{\"address\": null, \"rate\": null}");
    }

    @Test
    void emptyObject()
    {
        assertThat(new JsonLine().toString()).isEqualTo("{}");
    }
}
