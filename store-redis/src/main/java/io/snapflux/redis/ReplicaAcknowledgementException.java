package io.snapflux.redis;

import io.snapflux.store.StoreException;

/**
 * A write committed on the Redis master, but fewer replicas than {@link
 * RedisStoreBuilder#replicaAcks(int, java.time.Duration) replicaAcks} confirmed it within the
 * timeout. It is <em>not</em> a failed write: the new version is in Redis and in this instance's
 * replica ({@code snapshot()} shows it, subscribers received it, {@code afterCommit} ran), so do
 * not simply run the update again (an increment would count twice). It is not yet durable to the
 * configured degree: if the master fails before a replica has it, the promoted replica lacks it
 * and the store moves past the lost version visibly (see "Histories" in docs/redis.md). Not a
 * {@link StoreUnavailableException}, which always means "not committed".
 */
public final class ReplicaAcknowledgementException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final long version;
  private final long acknowledged;
  private final int required;

  ReplicaAcknowledgementException(
      String storeName, long version, long acknowledged, int required, String detail) {
    super(storeName, "store '" + storeName + "': version " + version + " committed on the Redis master but "
        + (acknowledged < 0 ? "its replication could not be confirmed" : "only " + acknowledged
        + " of " + required + " replica(s) acknowledged it") + " (" + detail + "); it is "
        + "applied and visible, and lost if the master fails before a replica has it: do not "
        + "resend it");
    this.version = version;
    this.acknowledged = acknowledged;
    this.required = required;
  }

  /**
   * The version the write committed as.
   *
   * @return the committed version
   */
  public long version() {
    return version;
  }

  /**
   * How many replicas acknowledged the write; -1 if it was not asked (the write's reply was
   * lost and a status check found it committed).
   *
   * @return the acknowledgements received, or -1
   */
  public long acknowledged() {
    return acknowledged;
  }

  /**
   * How many replicas were required.
   *
   * @return the configured number of replica acknowledgements
   */
  public int required() {
    return required;
  }
}
