package io.snapflux.redis;

/**
 * Whether a write to a {@link RedisStore} committed, as {@link RedisStore#commitStatus(String)}
 * found out from Redis.
 */
public sealed interface CommitStatus {

  /**
   * The write committed.
   *
   * @param version the version it committed
   */
  record Committed(long version) implements CommitStatus {}

  /** The write did not commit, and never will: its id is fenced in Redis. */
  record NotCommitted() implements CommitStatus {}

  /**
   * Redis could not tell: it was unreachable, or it no longer keeps the write ids of that time.
   *
   * @param reason why
   */
  record Unknown(String reason) implements CommitStatus {}
}
