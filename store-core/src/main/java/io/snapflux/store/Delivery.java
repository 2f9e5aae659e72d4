package io.snapflux.store;

/**
 * How a subscriber of {@link Store#changes(Delivery)} receives snapshots.
 *
 * <ul>
 *   <li>{@link #conflated()} (the default): the newest snapshot whenever the subscriber has
 *       demand; intermediate versions may be skipped, the final one never is. Costs nothing per
 *       version, whatever the subscriber's speed.
 *   <li>{@link #lossless(int)}: every version, in order, without gaps. A subscriber may fall at
 *       most {@code maxLag} versions behind the store; past that it receives a
 *       {@link SubscriberLagException} (or, with {@link Lossless#resyncOnOverflow()}, a visible
 *       jump to the newest snapshot), so a slow subscriber can never make the store hold an
 *       unbounded number of versions.
 * </ul>
 */
public sealed interface Delivery permits Delivery.Conflated, Delivery.Lossless {

  /** Latest wins: the default delivery. */
  static Delivery conflated() {
    return Conflated.INSTANCE;
  }

  /**
   * Every version in order, failing the subscriber once it lags more than {@code maxLag}
   * versions behind.
   *
   * @param maxLag how many committed versions the subscriber may have not yet received
   * @return the delivery
   * @throws IllegalArgumentException if {@code maxLag} is not positive
   */
  static Lossless lossless(int maxLag) {
    return new Lossless(maxLag, false);
  }

  /** Latest-wins delivery; see {@link Delivery#conflated()}. */
  enum Conflated implements Delivery {
    /** The only instance. */
    INSTANCE
  }

  /**
   * Every-version delivery; see {@link Delivery#lossless(int)}.
   *
   * @param maxLag how many committed versions the subscriber may have not yet received
   * @param resync whether an overflow jumps to the newest snapshot instead of failing
   */
  record Lossless(int maxLag, boolean resync) implements Delivery {

    /** Validates the lag bound. */
    public Lossless {
      if (maxLag <= 0) {
        throw new IllegalArgumentException("maxLag must be positive, was " + maxLag);
      }
    }

    /**
     * On overflow, skip to the newest snapshot instead of failing. The skip is visible to the
     * subscriber as a gap in the versions it receives (and counted in {@link StoreStats}).
     *
     * @return a lossless delivery that resyncs
     */
    public Lossless resyncOnOverflow() {
      return new Lossless(maxLag, true);
    }
  }
}
