package io.swimlog.membership;

import io.swimlog.membership.aeron.AeronTransport;
import io.swimlog.membership.aeron.AeronTransportContext;
import io.swimlog.membership.udp.UdpTransport;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol over each real transport on loopback: five members in this JVM, each on its own port (over Aeron,
 * each with its own embedded media driver; over plain UDP, its own socket), on fast timings so that detection
 * takes seconds.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public class LoopbackMembershipTest
{
    private static final int MEMBERS = 5;

    private final List<Membership> members = new ArrayList<>();
    private final List<CuttableTransport> transports = new ArrayList<>();
    private final List<Queue<MembershipEvent>> events = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll()
    {
        CloseHelper.quietCloseAll(members);
        CloseHelper.quietCloseAll(transports);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aeron", "udp"})
    void membersConvergeThenSeeACrashedMemberDeadAndALeavingMemberLeft(final String transportName)
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            start(transportName, "m" + i, 0 == i ? List.of() : List.of(transports.get(0).localEndpoint()));
        }
        Await.until("every member sees all " + MEMBERS + " alive", 30_000,
            () -> allSee(0, MEMBERS, MEMBERS, MemberState.ALIVE));

        transports.get(4).cut();
        Await.until("m0..m3 declare the crashed m4 dead", 30_000, () -> everyoneSees(0, 4, "m4", MemberState.DEAD));

        assertThat(members.get(3).leave(java.time.Duration.ofSeconds(5))).isTrue();
        Await.until("m0..m2 see m3 left", 30_000, () -> everyoneSees(0, 3, "m3", MemberState.LEFT));

        for (int i = 0; i < 3; i++)
        {
            assertThat(stateOf(i, "m4")).as("m4 seen by m" + i).isEqualTo(MemberState.DEAD);
            for (int j = 0; j < 3; j++)
            {
                assertThat(stateOf(i, "m" + j)).as("m" + j + " seen by m" + i).isEqualTo(MemberState.ALIVE);
            }
            assertThat(events.get(i)).filteredOn(e -> e.member().id().equals("m4"))
                .extracting(MembershipEvent::type).contains(MembershipEventType.DEAD);
            assertThat(events.get(i)).filteredOn(e -> e.member().id().equals("m3"))
                .extracting(MembershipEvent::type).contains(MembershipEventType.LEFT);
            assertThat(events.get(i)).filteredOn(e -> e.type() == MembershipEventType.DEAD)
                .extracting(e -> e.member().id()).containsOnly("m4");
        }
        assertThat(errors).isEmpty();
    }

    private void start(final String transportName, final String id, final List<String> seeds)
    {
        final CuttableTransport transport = new CuttableTransport("udp".equals(transportName) ?
            UdpTransport.open("127.0.0.1:0") :
            AeronTransport.launch(new AeronTransportContext().bind("127.0.0.1:0").errorHandler(errors::add)));
        transports.add(transport);
        final Queue<MembershipEvent> memberEvents = new ConcurrentLinkedQueue<>();
        events.add(memberEvents);
        members.add(Membership.start(fastTimings(new MembershipContext())
            .memberId(id)
            .bind(transport.localEndpoint())
            .seeds(seeds)
            .transport(transport)
            .listener(memberEvents::add)
            .errorHandler(errors::add)));
    }

    /**
     * memberlist's local profile with a quicker probe cycle, so a crash is detected in a few seconds. The LAN
     * retransmit multiplier and a short push-pull interval bound the time to converge: with the local profile's
     * two retransmissions a join can miss a member and wait for the next push-pull (15 s).
     */
    public static MembershipContext fastTimings(final MembershipContext ctx)
    {
        return ctx
            .profile(MembershipProfile.LOCAL)
            .probeIntervalMs(200)
            .probeTimeoutMs(100)
            .gossipIntervalMs(50)
            .retransmitMult(4)
            .pushPullIntervalMs(2_000);
    }

    private boolean allSee(final int from, final int to, final int count, final MemberState state)
    {
        for (int i = from; i < to; i++)
        {
            final List<Member> view = members.get(i).members();
            if (view.stream().filter(m -> m.state() == state).count() != count)
            {
                return false;
            }
        }
        return true;
    }

    private boolean everyoneSees(final int from, final int to, final String id, final MemberState state)
    {
        for (int i = from; i < to; i++)
        {
            if (stateOf(i, id) != state)
            {
                return false;
            }
        }
        return true;
    }

    private MemberState stateOf(final int observer, final String id)
    {
        for (final Member member : members.get(observer).members())
        {
            if (member.id().equals(id))
            {
                return member.state();
            }
        }
        return null;
    }
}
