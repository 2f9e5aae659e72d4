package io.snapflux.store;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How an update waits after losing a compare-and-set race.
 *
 * <p>The first {@code spinRetries} retries only call {@link Thread#onSpinWait()}; after that, each
 * retry spins a random number of {@code onSpinWait()} hints drawn from an exponentially growing
 * range capped at {@code 2^maxExponent}. Waiting never parks or sleeps, so an update stays
 * non-blocking on any thread, including Reactor's non-blocking ones.
 *
 * @param spinRetries retries that spin once before backing off
 * @param maxExponent the cap of the randomized backoff range, as a power of two
 */
public record Backoff(int spinRetries, int maxExponent) {

  private static final Backoff DEFAULT = new Backoff(3, 10);

  /** Validates the settings. */
  public Backoff {
    if (spinRetries < 0) {
      throw new IllegalArgumentException("spinRetries must be >= 0, was " + spinRetries);
    }
    if (maxExponent < 0 || maxExponent > 20) {
      throw new IllegalArgumentException("maxExponent must be in 0..20, was " + maxExponent);
    }
  }

  /** Three plain spins, then randomized exponential backoff up to 1,024 spin hints. */
  public static Backoff defaults() {
    return DEFAULT;
  }

  /** Waits before retry number {@code retry} (1 for the first retry). */
  void pause(int retry) {
    if (retry <= spinRetries) {
      Thread.onSpinWait();
      return;
    }
    int exponent = Math.min(retry - spinRetries, maxExponent);
    int spins = ThreadLocalRandom.current().nextInt(1 << exponent) + 1;
    for (int i = 0; i < spins; i++) {
      Thread.onSpinWait();
    }
  }
}
