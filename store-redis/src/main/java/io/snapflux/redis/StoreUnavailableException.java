package io.snapflux.redis;

import io.snapflux.store.StoreException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a write to a {@link RedisStore} that Redis did not confirm within the store's
 * {@linkplain RedisStoreBuilder#writeTimeout(java.time.Duration) write timeout}, typically because
 * Redis is unreachable. The local replica is unchanged; reads keep serving the last known
 * snapshot.
 *
 * <p>This exception itself means the write did not commit and never will: either Redis never
 * received it, or the store asked Redis afterwards and fenced the write's id so that a late copy
 * is refused. When the store could not ask, it throws the subclass {@link
 * CommitOutcomeUnknownException} instead, whose write id {@link RedisStore#commitStatus(String)}
 * settles later. A write whose reply was lost but which committed is not reported by either:
 * it returns normally.
 */
public sealed class StoreUnavailableException extends StoreException
    permits CommitOutcomeUnknownException {

  private static final long serialVersionUID = 1L;


  /**
   * @param storeName the store written to
   * @param message what went wrong
   * @param cause the last Redis error seen, or {@code null}
   */
  public StoreUnavailableException(String storeName, String message, @Nullable Throwable cause) {
    super(storeName, message, cause);
  }

}
