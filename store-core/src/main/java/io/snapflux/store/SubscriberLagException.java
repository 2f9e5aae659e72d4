package io.snapflux.store;

/**
 * Signalled to a {@linkplain Delivery#lossless(int) lossless} subscriber that fell more than its
 * {@code maxLag} versions behind the store. The subscription is over; the store released
 * everything it held for it. Subscribe again to start from the newest snapshot.
 */
public final class SubscriberLagException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final long lastDeliveredVersion;
  private final long storeVersion;
  private final int maxLag;

  /**
   * @param storeName the store
   * @param lastDeliveredVersion the last version the subscriber received ({@code -1} if none)
   * @param storeVersion the store's version when the overflow was detected
   * @param maxLag the bound that was exceeded
   */
  public SubscriberLagException(
      String storeName, long lastDeliveredVersion, long storeVersion, int maxLag) {
    super(storeName, "lossless subscriber of store '" + storeName + "' fell " + (storeVersion
        - lastDeliveredVersion) + " versions behind (received up to version "
        + lastDeliveredVersion + ", store at " + storeVersion + ", maxLag " + maxLag
        + "); request faster, raise maxLag, or use Delivery.lossless(n).resyncOnOverflow()");
    this.lastDeliveredVersion = lastDeliveredVersion;
    this.storeVersion = storeVersion;
    this.maxLag = maxLag;
  }

  /** The last version delivered to the subscriber, {@code -1} if none. */
  public long lastDeliveredVersion() {
    return lastDeliveredVersion;
  }

  /** The store's version when the overflow was detected. */
  public long storeVersion() {
    return storeVersion;
  }

  /** The lag bound that was exceeded. */
  public int maxLag() {
    return maxLag;
  }
}
