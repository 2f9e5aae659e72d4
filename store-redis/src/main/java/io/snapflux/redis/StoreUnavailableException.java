package io.snapflux.redis;

import io.snapflux.store.StoreException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a write to a {@link RedisStore} that Redis did not confirm within the store's
 * {@linkplain RedisStoreBuilder#writeTimeout(java.time.Duration) write timeout}, typically because
 * Redis is unreachable. The local replica is unchanged; reads keep serving the last known
 * snapshot.
 *
 * <p>When Redis rejected or never received the command (the usual case for a server that is down:
 * the connection is closed, so nothing is sent), the write did not happen. If a command was on
 * the wire when the timeout struck, its outcome is unknown: compare the store's version once it
 * is {@linkplain RedisStore#isConnected() connected} again. A resent command is never applied
 * twice (every write carries an id the commit script checks).
 */
public final class StoreUnavailableException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final String storeName;

  /**
   * @param storeName the store written to
   * @param message what went wrong
   * @param cause the last Redis error seen, or {@code null}
   */
  public StoreUnavailableException(String storeName, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.storeName = storeName;
  }

  /** The name of the store written to. */
  public String storeName() {
    return storeName;
  }
}
