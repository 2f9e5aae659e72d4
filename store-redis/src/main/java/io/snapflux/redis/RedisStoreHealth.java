package io.snapflux.redis;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link RedisStore} is doing with Redis.
 *
 * @param connected whether the store's connections are open and its replica follows the stream;
 *     while {@code false}, reads serve the last known snapshot and writes fail after the write
 *     timeout
 * @param version the version of the local replica (the last known snapshot)
 * @param downSince when the store lost Redis, {@code null} while connected
 * @param lastError the last Redis error seen, {@code null} if none since the store was built
 */
public record RedisStoreHealth(
    boolean connected, long version, @Nullable Instant downSince, @Nullable String lastError) {}
