package io.swimlog.tools.membership;

import io.swimlog.membership.Member;
import io.swimlog.membership.MemberState;
import io.swimlog.membership.MembershipEvent;
import io.swimlog.membership.MembershipEventType;
import io.swimlog.membership.MembershipListener;
import io.swimlog.tools.FlatJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class EventPrinterTest
{
    private static final Member NODE_2 =
        new Member("node-2", "127.0.0.1:7001", 5, MemberState.SUSPECT, new byte[0]);

    @Test
    void jsonLinesCarryTheFieldsScriptsReadInOrderOfEvents() throws Exception
    {
        final StringWriter out = new StringWriter();
        final EventPrinter printer = new EventPrinter(new PrintWriter(out), true);
        final MembershipListener listener = printer.listener(null);

        listener.onEvent(new MembershipEvent(MembershipEventType.SUSPECTED, NODE_2, 1_700_000_000_123L));
        listener.onEvent(new MembershipEvent(MembershipEventType.DEAD, NODE_2, 1_700_000_000_456L));
        printer.printPending(0);

        final List<Map<String, Object>> lines = out.toString().lines().map(FlatJson::parse).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).containsExactly(
            Map.entry("time", 1_700_000_000_123L), Map.entry("event", "suspected"), Map.entry("member", "node-2"),
            Map.entry("incarnation", 5L), Map.entry("address", "127.0.0.1:7001"));
        assertThat(lines.get(1)).containsEntry("event", "dead").containsEntry("time", 1_700_000_000_456L);
    }

    @Test
    void startedStoppedWarningAndSeenByLinesAreJsonToo() throws Exception
    {
        final StringWriter out = new StringWriter();
        final EventPrinter printer = new EventPrinter(new PrintWriter(out), true);

        printer.printStarted("node-1", "127.0.0.1:7000", "ignored in JSON");
        printer.listener("dev-1").onWarning("node-2 answers only indirect probes");
        printer.listener("dev-1").onEvent(new MembershipEvent(MembershipEventType.JOINED, NODE_2, 1L));
        printer.printPending(0);
        printer.printStopped("node-1", true);

        final List<Map<String, Object>> lines = out.toString().lines().map(FlatJson::parse).toList();
        assertThat(lines).extracting(l -> l.get("event")).containsExactly("started", "warning", "joined", "stopped");
        assertThat(lines.get(0)).containsEntry("member", "node-1").containsEntry("address", "127.0.0.1:7000");
        assertThat(lines.get(1)).containsEntry("message", "node-2 answers only indirect probes")
            .containsEntry("seen_by", "dev-1");
        assertThat(lines.get(2)).containsEntry("seen_by", "dev-1");
        assertThat(lines.get(3)).containsEntry("left", true);
    }

    @Test
    void textLinesNameTheEventTheMemberAndItsAddress() throws Exception
    {
        final StringWriter out = new StringWriter();
        final EventPrinter printer = new EventPrinter(new PrintWriter(out), false);

        printer.listener(null).onEvent(new MembershipEvent(MembershipEventType.LEFT, NODE_2, 0L));
        printer.printPending(0);

        assertThat(out.toString()).isEqualTo(
            "1970-01-01T00:00:00Z left      node-2 127.0.0.1:7001 incarnation 5" + System.lineSeparator());
    }
}
