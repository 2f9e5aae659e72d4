/**
 * A Snapflux {@link io.snapflux.store.Store} shared by many application instances through Redis.
 *
 * <p>{@link io.snapflux.redis.RedisStore} keeps the state (JSON by default) and its version in
 * Redis; an update is a version-checked compare-and-set done by one Lua script that also appends
 * the change to a trimmed Redis Stream. Each instance keeps a local replica, fed by that stream,
 * for wait-free reads and for its subscribers. Build one with {@link
 * io.snapflux.redis.RedisStore#builder(String, Object)}.
 *
 * <p>A failed write is either {@link io.snapflux.redis.StoreUnavailableException} (it did not
 * commit) or {@link io.snapflux.redis.CommitOutcomeUnknownException} (Redis could not be asked;
 * {@link io.snapflux.redis.RedisStore#commitStatus(String)} answers with a {@link
 * io.snapflux.redis.CommitStatus} later).
 */
@NullMarked
package io.snapflux.redis;

import org.jspecify.annotations.NullMarked;
