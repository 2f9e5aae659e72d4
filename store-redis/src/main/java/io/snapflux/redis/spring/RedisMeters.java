package io.snapflux.redis.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.snapflux.redis.RedisStats;
import io.snapflux.redis.RedisStore;
import io.snapflux.spring.StoreDecorator;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.Store;
import java.util.function.ToLongFunction;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds the Redis backend's meters to each store, read at scrape time from what {@code
 * RedisStore} exposes ({@code health()} and {@code redisStats()}), tagged {@code store=<name>}.
 * They are removed with the store's other {@code snapflux.*} meters when it closes. Returns the
 * store unchanged.
 */
final class RedisMeters implements StoreDecorator {

  /** 1 while the store's Redis connections are up, 0 while they are not. */
  static final String CONNECTED = "snapflux.redis.connected";
  /** {@link RedisStats#roundTrips()}. */
  static final String ROUND_TRIPS = "snapflux.redis.round.trips";
  /** {@link RedisStats#retries()}. */
  static final String RETRIES = "snapflux.redis.retries";
  /** {@link RedisStats#resends()}. */
  static final String RESENDS = "snapflux.redis.resends";
  /** {@link RedisStats#reconnects()}. */
  static final String RECONNECTS = "snapflux.redis.reconnects";
  /** {@link RedisStats#resyncs()}. */
  static final String RESYNCS = "snapflux.redis.resyncs";
  /** {@link RedisStats#writeTimeouts()}. */
  static final String WRITE_TIMEOUTS = "snapflux.redis.write.timeouts";
  /** {@link RedisStats#outcomesUnknown()}. */
  static final String OUTCOMES_UNKNOWN = "snapflux.redis.outcomes.unknown";
  /** {@link RedisStats#underReplicated()}. */
  static final String UNDER_REPLICATED = "snapflux.redis.under.replicated";
  /** {@link RedisStats#streamLagVersions()}. */
  static final String STREAM_LAG = "snapflux.redis.stream.lag";

  private final ObjectProvider<MeterRegistry> registry;
  private final RedisStoreBackend backend;

  RedisMeters(ObjectProvider<MeterRegistry> registry, RedisStoreBackend backend) {
    this.registry = registry;
    this.backend = backend;
  }

  @Override
  public <S> Store<S> decorate(Store<S> store, StoreDefinition<S> definition) {
    MeterRegistry meters = registry.getIfUnique();
    if (meters == null) {
      return store;
    }
    RedisStore<?> redis = backend.redisStore(store);
    Tags tags = Tags.of("store", store.name());
    Gauge.builder(CONNECTED, redis, s -> s.isConnected() ? 1 : 0)
        .tags(tags)
        .description("Whether the store's Redis connections are up")
        .register(meters);
    counter(meters, redis, tags, ROUND_TRIPS, RedisStats::roundTrips,
        "Commands sent to Redis for writes and resyncs (resends included)");
    counter(meters, redis, tags, RETRIES, RedisStats::retries,
        "Commit attempts retried because another writer committed first");
    counter(meters, redis, tags, RESENDS, RedisStats::resends,
        "Commands sent again after a transport error");
    counter(meters, redis, tags, RECONNECTS, RedisStats::reconnects,
        "Connections to Redis re-established after a loss");
    counter(meters, redis, tags, RESYNCS, RedisStats::resyncs,
        "Re-synchronisations with Redis's state instead of following the stream");
    counter(meters, redis, tags, WRITE_TIMEOUTS, RedisStats::writeTimeouts,
        "Writes whose reply did not arrive within the write timeout");
    counter(meters, redis, tags, OUTCOMES_UNKNOWN, RedisStats::outcomesUnknown,
        "Writes failed with CommitOutcomeUnknownException");
    counter(meters, redis, tags, UNDER_REPLICATED, RedisStats::underReplicated,
        "Writes committed on the master but acknowledged by fewer replicas than replica-acks "
            + "asked (ReplicaAcknowledgementException)");
    Gauge.builder(STREAM_LAG, redis, s -> s.redisStats().streamLagVersions())
        .tags(tags)
        .baseUnit("versions")
        .description("Versions the local replica is behind the newest one seen in Redis")
        .register(meters);
    return store;
  }

  private static void counter(MeterRegistry meters, RedisStore<?> redis, Tags tags, String name,
      ToLongFunction<RedisStats> value, String description) {
    FunctionCounter.builder(name, redis, s -> value.applyAsLong(s.redisStats()))
        .tags(tags)
        .description(description)
        .register(meters);
  }
}
