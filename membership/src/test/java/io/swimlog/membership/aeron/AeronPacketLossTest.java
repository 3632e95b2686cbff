package io.swimlog.membership.aeron;

import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.swimlog.membership.Await;
import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipEvent;
import io.swimlog.membership.MembershipEventType;
import io.swimlog.membership.MembershipProfile;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five members over Aeron on loopback, each driver dropping 20% of every frame that reaches it (data, setup,
 * status messages and NAKs alike) through Aeron's own debug channel endpoints, so the test needs no root and
 * no network namespaces. Aeron repairs lost data frames, so the protocol sees the loss as delay, which its
 * probe timeout must absorb: no live member may be declared dead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronPacketLossTest
{
    private static final double LOSS = 0.2;
    private static final long LOSS_WINDOW_MS = 20_000;

    private final List<EmbeddedMediaDriver> drivers = new ArrayList<>();
    private final List<Membership> members = new ArrayList<>();
    private final Queue<MembershipEvent> events = new ConcurrentLinkedQueue<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<SwitchableLoss> losses = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        CloseHelper.quietCloseAll(members);
        CloseHelper.quietCloseAll(drivers);
    }

    @Test
    void noLiveMemberIsDeclaredDeadWhenEveryDriverLosesAFifthOfWhatReachesIt()
    {
        String seed = null;
        for (int i = 0; i < 5; i++)
        {
            final SwitchableLoss loss = new SwitchableLoss(i);
            losses.add(loss);
            final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch("loss-" + i, errors::add, ctx -> ctx
                .receiveChannelEndpointSupplier((channel, dispatcher, status, context) ->
                    new DebugReceiveChannelEndpoint(channel, dispatcher, status, context, loss, NO_LOSS))
                .sendChannelEndpointSupplier((channel, status, context) ->
                    new DebugSendChannelEndpoint(channel, status, context, NO_LOSS, loss)));
            drivers.add(driver);
            final AeronTransport transport = AeronTransport.launch(
                new AeronTransportContext().bind("127.0.0.1:0").aeron(driver.aeron()).errorHandler(errors::add));
            members.add(Membership.start(new MembershipContext()
                .memberId("m" + i)
                .profile(MembershipProfile.LAN)
                .probeIntervalMs(500)
                .probeTimeoutMs(250)
                .gossipIntervalMs(100)
                .pushPullIntervalMs(5_000)
                .bind(transport.localEndpoint())
                .seeds(null == seed ? List.of() : List.of(seed))
                .transport(transport)
                .ownsTransport(true)
                .listener(events::add)
                .errorHandler(errors::add)));
            seed = null == seed ? transport.localEndpoint() : seed;
        }
        Await.until("five members see five", 30_000, () -> members.stream().allMatch(m -> m.members().size() == 5));

        losses.forEach(loss -> loss.rate(LOSS));
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOSS_WINDOW_MS);
        Await.until("the end of the lossy window", LOSS_WINDOW_MS + 10_000,
            () -> System.nanoTime() - endNs >= 0 || events.stream().anyMatch(AeronPacketLossTest::isDeath));
        losses.forEach(loss -> loss.rate(0));

        final long suspicions = events.stream().filter(e -> e.type() == MembershipEventType.SUSPECTED).count();
        assertThat(events).as("%d suspicions; deaths", suspicions).noneMatch(AeronPacketLossTest::isDeath);
        for (final SwitchableLoss loss : losses)
        {
            assertThat(loss.dropped()).as("frames dropped at m" + loss.index).isPositive();
        }
        assertThat(errors).isEmpty();
    }

    private static boolean isDeath(final MembershipEvent event)
    {
        return event.type() == MembershipEventType.DEAD;
    }

    private static final LossGenerator NO_LOSS = (address, buffer, length) -> false;

    /**
     * Drops frames at a rate that the test turns on once the cluster has formed; seeded per member.
     */
    private static final class SwitchableLoss implements LossGenerator
    {
        final int index;
        private final SplittableRandom random;
        private final AtomicLong dropped = new AtomicLong();
        private volatile double rate;

        SwitchableLoss(final int index)
        {
            this.index = index;
            this.random = new SplittableRandom(7919L * (index + 1));
        }

        void rate(final double rate)
        {
            this.rate = rate;
        }

        long dropped()
        {
            return dropped.get();
        }

        public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            // Called on the driver's one (shared) thread only.
            if (rate > 0 && random.nextDouble() < rate)
            {
                dropped.incrementAndGet();
                return true;
            }
            return false;
        }
    }
}
