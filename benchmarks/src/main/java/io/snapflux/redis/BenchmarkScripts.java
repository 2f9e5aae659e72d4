package io.snapflux.redis;

/**
 * The benchmarks' view of the Redis store's package-private COMMIT script, so that
 * {@code io.snapflux.benchmarks.RedisCommitBenchmark} can send the very script a
 * {@link RedisStore} sends, as its raw baseline. Not part of any published artifact.
 */
public final class BenchmarkScripts {

  /** The COMMIT script's text, exactly as {@link RedisStore} loads it. */
  public static final String COMMIT = LuaScripts.COMMIT;

  /** The SHA-1 digest of {@link #COMMIT}, as sent with {@code EVALSHA}. */
  public static final String COMMIT_SHA = LuaScripts.COMMIT_SHA;

  private BenchmarkScripts() {}
}
