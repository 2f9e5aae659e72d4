package io.snapflux.redis.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.snapflux.redis.RedisStore;
import io.snapflux.redis.RedisStoreBuilder;
import io.snapflux.spring.SnapfluxProperties;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.vavr.jackson.datatype.VavrModule;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;

/**
 * The {@code redis} backend: one Lettuce client for all stores (each store has two connections
 * of its own), closed when the context closes, after the stores.
 *
 * <p>From a {@link StoreDefinition} it uses the name, the initial state, its runtime class (the
 * JSON type) and, through {@link RedisStoreBuilder#options(StoreBuilder)}, what the definition's
 * builder holds after the {@code snapflux.stores.<name>} settings and the application's customizer
 * ran: validators, interceptors, equivalence ({@code equality} or the customizer's) and clock.
 * Not carried over: history (a Redis store keeps none: {@code history-size} is not applied, which
 * is logged at info; {@code history()} holds the current snapshot and undo is unsupported) and
 * the delivery scheduler (Redis stores deliver on bounded-elastic, so a subscriber may write).
 */
final class RedisStoreBackend implements StoreBackend, DisposableBean {

  private static final Log log = LogFactory.getLog(RedisStoreBackend.class);

  private final SnapfluxRedisProperties settings;
  private final ObjectMapper mapper;
  private final ClientResources resources;
  private final RedisClient client;
  private final Map<String, RedisStore<?>> stores = new ConcurrentHashMap<>();

  RedisStoreBackend(RedisProperties redis, SnapfluxRedisProperties settings, ObjectMapper mapper) {
    this.settings = settings;
    ObjectMapper m = mapper.copy();
    if (!m.getRegisteredModuleIds().contains(new VavrModule().getTypeId())) {
      m.registerModule(new VavrModule());
    }
    this.mapper = m;
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(
            Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources, uri(redis));
    ClientOptions.Builder options = ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    if (redis.getConnectTimeout() != null) {
      options.socketOptions(SocketOptions.builder().connectTimeout(redis.getConnectTimeout()).build());
    }
    client.setOptions(options.build());
  }

  static RedisURI uri(RedisProperties p) {
    if (p.getCluster() != null && p.getCluster().getNodes() != null
        && !p.getCluster().getNodes().isEmpty()) {
      throw new IllegalStateException("spring.data.redis.cluster.* is not supported by the "
          + "Snapflux Redis backend yet (its keys are cluster-ready; the client is standalone "
          + "or sentinel): configure spring.data.redis.url, host/port or sentinel");
    }
    RedisURI.Builder b;
    RedisProperties.Sentinel sentinel = p.getSentinel();
    if (sentinel != null && sentinel.getMaster() != null) {
      b = RedisURI.builder().withSentinelMasterId(sentinel.getMaster());
      for (String node : sentinel.getNodes()) {
        int colon = node.lastIndexOf(':');
        b.withSentinel(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
      }
    } else if (p.getUrl() != null) {
      b = RedisURI.builder(RedisURI.create(p.getUrl()));
    } else {
      b = RedisURI.builder().withHost(p.getHost()).withPort(p.getPort());
    }
    if (p.getUrl() == null) {
      b.withDatabase(p.getDatabase());
      if (p.getPassword() != null) {
        if (p.getUsername() != null) {
          b.withAuthentication(p.getUsername(), p.getPassword());
        } else {
          b.withPassword(p.getPassword().toCharArray());
        }
      }
      b.withSsl(p.getSsl().isEnabled());
    }
    if (p.getTimeout() != null) {
      b.withTimeout(p.getTimeout());
    }
    if (p.getClientName() != null) {
      b.withClientName(p.getClientName());
    }
    return b.build();
  }

  @Override
  public SnapfluxProperties.Backend kind() {
    return SnapfluxProperties.Backend.REDIS;
  }

  @Override
  public <S> Store<S> create(StoreDefinition<S> definition) {
    StoreBuilder<S> options = definition.builder();
    if (options.historySize() > 0) {
      // Informational: history-size defaults to 100, so most stores reach here unasked.
      log.info("Snapflux store '" + definition.name() + "': the redis backend keeps no history "
          + "(history-size " + options.historySize() + " not applied): history() holds the "
          + "current version only and undo/redo are unsupported; use the memory or file backend "
          + "for them");
    }
    RedisStore<S> store = RedisStore.builder(definition.name(), definition.initial())
        .client(client)
        .codec(JsonStateCodec.of(mapper, mapper.constructType(definition.stateType())))
        .options(options)
        .writeTimeout(settings.writeTimeout())
        .streamMaxLength(settings.streamMaxLength())
        .pollTimeout(settings.pollTimeout())
        .build();
    stores.put(definition.name(), store);
    return store;
  }

  /** The Redis store behind {@code store} (which may be decorated), by name. */
  RedisStore<?> redisStore(Store<?> store) {
    RedisStore<?> s = stores.get(store.name());
    if (s == null) {
      throw new IllegalArgumentException("store '" + store.name() + "' is not a Redis store");
    }
    return s;
  }

  @Override
  public boolean isAvailable(Store<?> store) {
    return redisStore(store).isConnected();
  }

  @Override
  public Map<String, Object> details(Store<?> store) {
    var health = redisStore(store).health();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("keys", "snapflux:{" + store.name() + "}:{state,version,stream}");
    details.put("connected", health.connected());
    if (health.downSince() != null) {
      details.put("downSince", health.downSince().toString());
    }
    if (health.lastError() != null) {
      details.put("lastError", health.lastError());
    }
    return details;
  }

  @Override
  public void destroy() {
    stores.values().forEach(RedisStore::close);
    client.shutdown(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "redis";
  }
}
