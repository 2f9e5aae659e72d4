package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.test.util.RaceTestUtils;

/** The store's default clock: never goes backwards, and keeps up with the system clock. */
final class CoarseClockTest {

  @Test
  void millis_readByTwoThreads_neverGoesBackwards() {
    AtomicBoolean backwards = new AtomicBoolean();
    Runnable reader = () -> {
      long last = Long.MIN_VALUE;
      for (int i = 0; i < 2_000_000; i++) {
        long t = CoarseClock.UTC.millis();
        if (t < last) {
          backwards.set(true);
        }
        last = t;
      }
    };

    RaceTestUtils.race(reader, reader);

    assertThat(backwards).isFalse();
  }

  @Test
  void millis_followsTheSystemClock() {
    long before = System.currentTimeMillis();
    await().atMost(Duration.ofSeconds(10)).until(() -> CoarseClock.UTC.millis() >= before + 5);
    assertThat(CoarseClock.UTC.millis()).isLessThanOrEqualTo(System.currentTimeMillis());
  }

  @Test
  void defaultStore_timestampsWithTheCoarseClock() {
    long before = System.currentTimeMillis();
    Store<Integer> store = Store.of(0);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> store.update(n -> n + 1).timestampMillis() >= before);
    assertThat(Store.builder(0).clock()).isSameAs(CoarseClock.UTC);
  }
}
