package io.swimlog.membership.aeron;

import io.swimlog.membership.Await;
import io.swimlog.membership.Keyring;
import io.swimlog.membership.Member;
import io.swimlog.membership.MemberState;
import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipCounters.Counter;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.swimlog.membership.LoopbackMembershipTest.fastTimings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keys rotate on a running encrypted cluster, memberlist's way, without a member being suspected: the new key is
 * accepted everywhere, then primary everywhere, then the old one is dropped; a member holding only the old key is
 * kept out afterwards.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KeyRotationTest
{
    private static final byte[] OLD_KEY = key(1);
    private static final byte[] NEW_KEY = key(2);

    private final List<Membership> members = new ArrayList<>();
    private final List<AeronTransport> transports = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll()
    {
        CloseHelper.quietCloseAll(members);
        CloseHelper.quietCloseAll(transports);
    }

    @Test
    void rotatesKeysWithoutSuspicionAndKeepsOutTheOldKey()
    {
        for (int i = 0; i < 3; i++)
        {
            start("k" + i, Keyring.of(OLD_KEY));
        }
        Await.until("three encrypted members converge", 30_000, () -> allSeeAlive(3));
        final long suspicionsBefore = suspicions();

        rotate(Keyring.of(OLD_KEY, NEW_KEY));
        rotate(Keyring.of(NEW_KEY, OLD_KEY));
        rotate(Keyring.of(NEW_KEY));

        assertThat(suspicions()).as("suspicions during the rotation").isEqualTo(suspicionsBefore);
        for (final Membership member : members)
        {
            assertThat(member.counters().get(Counter.REJECTED_KEY)).as(member.localMemberId()).isZero();
        }

        start("k3", Keyring.of(NEW_KEY));
        Await.until("a member with the new key joins", 30_000, () -> allSeeAlive(4));

        final Membership stale = start("stale", Keyring.of(OLD_KEY));
        Await.until("the old key is refused", 30_000,
            () -> members.get(0).counters().get(Counter.REJECTED_KEY) > 0);
        assertThat(stale.members()).extracting(Member::id).containsOnly("stale");
        assertThat(members.get(0).members()).extracting(Member::id).doesNotContain("stale");
        assertThat(errors).isEmpty();
    }

    @Test
    void aPlaintextMemberCannotStartRotating()
    {
        final Membership plain = start("plain", null);
        assertThatThrownBy(() -> plain.keyring(Keyring.of(NEW_KEY)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("started without encryption");
    }

    /**
     * Applies the keys to every member, then waits until each has had acks under them, so the step is in effect.
     */
    private void rotate(final Keyring keyring)
    {
        final long[] acksBefore = new long[members.size()];
        for (int i = 0; i < members.size(); i++)
        {
            acksBefore[i] = members.get(i).counters().acks();
            members.get(i).keyring(keyring);
        }
        Await.until("every member is acked under the new keys", 30_000, () ->
        {
            for (int i = 0; i < acksBefore.length; i++)
            {
                if (members.get(i).counters().acks() < acksBefore[i] + 3)
                {
                    return false;
                }
            }
            return true;
        });
    }

    private Membership start(final String id, final Keyring keyring)
    {
        final List<String> seeds = members.isEmpty() ? List.of() : List.of(transports.get(0).localEndpoint());
        final AeronTransport transport = AeronTransport.launch(
            new AeronTransportContext().bind("127.0.0.1:0").errorHandler(errors::add));
        transports.add(transport);
        final Membership member = Membership.start(fastTimings(new MembershipContext())
            .memberId(id)
            .bind(transport.localEndpoint())
            .transport(transport)
            .seeds(seeds)
            .keyring(keyring)
            .errorHandler(errors::add));
        members.add(member);
        return member;
    }

    private boolean allSeeAlive(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (members.get(i).members().stream().filter(m -> m.state() == MemberState.ALIVE).count() != count)
            {
                return false;
            }
        }
        return true;
    }

    private long suspicions()
    {
        return members.stream().mapToLong(m -> m.counters().suspicions()).sum();
    }

    private static byte[] key(final int value)
    {
        final byte[] key = new byte[16];
        Arrays.fill(key, (byte)value);
        return key;
    }
}
