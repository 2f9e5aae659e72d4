package io.snapflux.sample.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class RolloutTest {

  @Test
  void bucket_isTheDocumentedSha256Prefix() throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-256")
        .digest("new-checkout:alice".getBytes(StandardCharsets.UTF_8));
    long expected = Integer.toUnsignedLong(ByteBuffer.wrap(hash).getInt()) % 100;
    assertThat(Rollout.bucket("new-checkout", "alice")).isEqualTo((int) expected);
  }

  @Test
  void evaluate_disabledFlag_isOffEvenForAllowListedUsers() {
    Flag flag = Flag.of(false, 100, "").allowing("alice");
    assertThat(Rollout.evaluate("f", flag, "alice").enabled()).isFalse();
    assertThat(Rollout.evaluate("f", flag, "alice").reason()).isEqualTo(Rollout.Reason.DISABLED);
  }

  @Test
  void evaluate_allowListedUser_isOnAtZeroRollout() {
    Flag flag = Flag.of(true, 0, "").allowing("alice");
    assertThat(Rollout.evaluate("f", flag, "alice").enabled()).isTrue();
    assertThat(Rollout.evaluate("f", flag, "bob").enabled()).isFalse();
  }

  @Test
  void evaluate_rollout_isMonotonicAndRoughlyProportional() {
    int[] on = new int[101];
    for (int rollout : new int[] {0, 10, 50, 100}) {
      Flag flag = Flag.of(true, rollout, "");
      on[rollout] = (int) IntStream.range(0, 2000)
          .filter(i -> Rollout.evaluate("f", flag, "user-" + i).enabled()).count();
    }
    assertThat(on[0]).isZero();
    assertThat(on[100]).isEqualTo(2000);
    assertThat(on[10]).isBetween(140, 260);
    assertThat(on[50]).isBetween(900, 1100);
    // Raising the rollout only adds users.
    Flag ten = Flag.of(true, 10, ""), fifty = Flag.of(true, 50, "");
    IntStream.range(0, 2000).mapToObj(i -> "user-" + i)
        .filter(u -> Rollout.evaluate("f", ten, u).enabled())
        .forEach(u -> assertThat(Rollout.evaluate("f", fifty, u).enabled()).isTrue());
  }
}
