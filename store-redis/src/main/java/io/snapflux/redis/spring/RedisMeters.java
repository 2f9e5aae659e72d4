package io.snapflux.redis.spring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.snapflux.spring.StoreDecorator;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.Store;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds the Redis backend's meters to each store, read at scrape time from what {@code
 * RedisStore} exposes ({@code health()}). Returns the store unchanged.
 *
 * <p>Round trips, CAS retries against Redis, reconnects, resyncs, write timeouts and stream lag
 * need counters that {@code RedisStore} does not expose yet; they are not faked from logs.
 */
final class RedisMeters implements StoreDecorator {

  /** 1 while the store's Redis connections are up, 0 while they are not. */
  static final String CONNECTED = "snapflux.redis.connected";

  private final ObjectProvider<MeterRegistry> registry;
  private final RedisStoreBackend backend;

  RedisMeters(ObjectProvider<MeterRegistry> registry, RedisStoreBackend backend) {
    this.registry = registry;
    this.backend = backend;
  }

  @Override
  public <S> Store<S> decorate(Store<S> store, StoreDefinition<S> definition) {
    MeterRegistry meters = registry.getIfUnique();
    if (meters != null) {
      Gauge.builder(CONNECTED, store, s -> backend.isAvailable(s) ? 1 : 0)
          .tag("store", store.name())
          .description("Whether the store's Redis connections are up")
          .register(meters);
    }
    return store;
  }
}
