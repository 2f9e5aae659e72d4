package io.snapflux.redis;

import io.lettuce.core.RedisClient;
import io.snapflux.store.Backend;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * The Redis {@link Backend}: obtained with {@link RedisStore#backend(RedisClient)}, given to
 * {@link io.snapflux.store.StoreBuilder#backend(Backend)}. It receives the store's options like
 * every backend (name, declared type, validators, interceptors, equivalence, clock) and adds the
 * Redis settings below; the state is encoded as JSON with the store's declared type ({@link
 * StoreOptions#type()}). With a history size ({@link io.snapflux.store.StoreBuilder#history(int)})
 * the store has the history capability (see {@link RedisStoreBuilder#history(int)}). For a codec of your own, use {@link RedisStore#builder(String, Object)}.
 *
 * <p>A configuration, not thread-safe while being configured.
 */
public final class RedisBackend implements Backend {

  private final RedisClient client;
  private Duration writeTimeout;

  RedisBackend(RedisClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * See {@link RedisStoreBuilder#writeTimeout(Duration)}.
   *
   * @param timeout how long a write waits for Redis
   * @return this backend
   */
  public RedisBackend writeTimeout(Duration timeout) {
    this.writeTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Connects to the store named {@code options.name()} in Redis, seeding it with the initial
   * state if Redis has none.
   *
   * @param options the store's options
   * @param <S> the type of the state
   * @return the store
   */
  @Override
  public <S> RedisStore<S> create(StoreOptions<S> options) {
    RedisStoreBuilder<S> b = RedisStore.builder(options.name(), options.initial())
        .client(client)
        .codec(JsonStateCodec.of(options.type()));
    if (writeTimeout != null) {
      b.writeTimeout(writeTimeout);
    }
    return b.open(options);
  }

  @Override
  public String toString() {
    return "RedisBackend{" + client + "}";
  }
}
