package io.snapflux.redis;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a write to a {@link RedisStore} whose commit may or may not have happened: its
 * command may have reached Redis, the reply did not come back within the write timeout, and
 * Redis could not be asked either (it stayed unreachable). Nothing is known to have changed
 * locally: the replica is unchanged, no {@code afterCommit} ran.
 *
 * <p>{@link RedisStore#commitStatus(String) commitStatus(writeId())} settles it once Redis is
 * back: committed (at which version), or not committed (from then on it never will be).
 */
public final class CommitOutcomeUnknownException extends StoreUnavailableException {

  private static final long serialVersionUID = 1L;

  private final String writeId;

  /**
   * @param storeName the store written to
   * @param writeId the id of the write, for {@link RedisStore#commitStatus(String)}
   * @param message what went wrong
   * @param cause the last Redis error seen, or {@code null}
   */
  public CommitOutcomeUnknownException(
      String storeName, String writeId, String message, @Nullable Throwable cause) {
    super(storeName, message, cause);
    this.writeId = writeId;
  }

  /** The id of the write whose outcome is unknown. */
  public String writeId() {
    return writeId;
  }
}
