package io.snapflux.redis.spring;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.snapflux.redis.RedisStore;
import io.snapflux.redis.RedisStoreBuilder;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;
import tools.jackson.databind.ObjectMapper;

/**
 * The {@code redis} backend: one Lettuce client for all stores (each store has two connections
 * of its own), closed when the context closes, after the stores.
 *
 * <p>Where it connects comes from Spring Boot's {@link DataRedisConnectionDetails} (so from
 * {@code spring.data.redis.*}, or from a {@code @ServiceConnection}, Docker Compose or any
 * connection-details bean of the application): standalone, sentinel or cluster (a {@link
 * RedisClusterClient} with {@link RedisStore#clusterClientOptions()}), user name, password and
 * SSL bundle. The client runs on Spring Boot's Lettuce {@link ClientResources} bean (its event
 * loops, its {@code ClientResourcesBuilderCustomizer}s, its metrics and tracing) when there is
 * one, else on resources of its own, shut down with the client.
 *
 * <p>From a {@link StoreDefinition} it uses the name, the initial state, its declared type (the
 * JSON type, generics included; never the initial state's runtime class) and, through {@link RedisStoreBuilder#options(StoreBuilder)}, what the definition's
 * builder holds after the {@code snapflux.stores.<name>} settings and the application's customizer
 * ran: validators, interceptors, equivalence ({@code equality} or the customizer's), clock and
 * history size ({@code history-size}: the store's history capability, see {@link
 * RedisStoreBuilder#history(int)}). Not carried over: the delivery scheduler (Redis stores deliver on bounded-elastic, so a subscriber may write).
 */
final class RedisStoreBackend implements StoreBackend, DisposableBean {

  /** The backend's id, the value of {@code snapflux.backend} that selects it. */
  static final String ID = "redis";


  private final SnapfluxRedisProperties settings;
  private final ObjectMapper mapper;
  private final ClientResources resources;
  private final boolean ownsResources;
  private final AbstractRedisClient client;
  private final Map<String, RedisStore<?>> stores = new ConcurrentHashMap<>();

  /**
   * @param resources Boot's Lettuce resources, shared and never shut down here; {@code null} to
   *     create (and later shut down) resources of our own
   */
  RedisStoreBackend(DataRedisConnectionDetails connection, DataRedisProperties redis,
      SnapfluxRedisProperties settings, ObjectMapper mapper, @Nullable ClientResources resources) {
    this.settings = settings;
    this.mapper = mapper;
    this.ownsResources = resources == null;
    this.resources = resources != null
        ? resources
        : ClientResources.builder()
            .reconnectDelay(Delay.exponential(
                Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    ClientOptions.Builder options;
    if (isCluster(connection)) {
      RedisClusterClient cluster = RedisClusterClient.create(this.resources,
          clusterUris(connection, redis));
      ClusterClientOptions.Builder clusterOptions = RedisStore.clusterClientOptions();
      if (redis.getCluster().getMaxRedirects() != null) {
        clusterOptions.maxRedirects(redis.getCluster().getMaxRedirects());
      }
      options = clusterOptions;
      this.client = cluster;
    } else {
      this.client = RedisClient.create(this.resources, uri(connection, redis));
      options = ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
    if (redis.getConnectTimeout() != null) {
      options.socketOptions(SocketOptions.builder().connectTimeout(redis.getConnectTimeout()).build());
    }
    SslBundle bundle = connection.getSslBundle();
    if (bundle != null) {
      options.sslOptions(sslOptions(bundle));
    }
    if (client instanceof RedisClusterClient cluster) {
      cluster.setOptions(((ClusterClientOptions.Builder) options).build());
    } else {
      ((RedisClient) client).setOptions(options.build());
    }
  }

  /** Whether the connection details name the nodes of a Redis Cluster. */
  static boolean isCluster(DataRedisConnectionDetails connection) {
    DataRedisConnectionDetails.Cluster cluster = connection.getCluster();
    return cluster != null && !cluster.getNodes().isEmpty();
  }

  /**
   * The seed nodes of a Redis Cluster (any of them; the client discovers the rest), each with
   * the connection's user name and password, SSL, timeout and client name.
   */
  static List<RedisURI> clusterUris(DataRedisConnectionDetails connection, DataRedisProperties p) {
    DataRedisConnectionDetails.Cluster cluster = Objects.requireNonNull(connection.getCluster());
    List<RedisURI> uris = new ArrayList<>();
    for (DataRedisConnectionDetails.Node node : cluster.getNodes()) {
      uris.add(common(RedisURI.builder().withHost(node.host()).withPort(node.port()),
          connection, p));
    }
    return uris;
  }

  /** The URI of a standalone Redis or of a sentinel-managed primary. */
  static RedisURI uri(DataRedisConnectionDetails connection, DataRedisProperties p) {
    RedisURI.Builder b;
    DataRedisConnectionDetails.Sentinel sentinel = connection.getSentinel();
    if (sentinel != null) {
      b = RedisURI.builder().withSentinelMasterId(sentinel.getMaster());
      for (DataRedisConnectionDetails.Node node : sentinel.getNodes()) {
        RedisURI.Builder s = RedisURI.builder().withHost(node.host()).withPort(node.port());
        if (sentinel.getPassword() != null) {
          if (sentinel.getUsername() != null) {
            s.withAuthentication(sentinel.getUsername(), sentinel.getPassword());
          } else {
            s.withPassword(sentinel.getPassword().toCharArray());
          }
        }
        b.withSentinel(s.build());
      }
      b.withDatabase(sentinel.getDatabase());
    } else {
      DataRedisConnectionDetails.Standalone standalone = connection.getStandalone();
      if (standalone == null) {
        throw new IllegalStateException("The Redis connection details name no standalone server "
            + "and no sentinel: set spring.data.redis.url, host/port or sentinel.*");
      }
      b = RedisURI.builder().withHost(standalone.getHost()).withPort(standalone.getPort())
          .withDatabase(standalone.getDatabase());
    }
    return common(b, connection, p);
  }

  private static RedisURI common(
      RedisURI.Builder b, DataRedisConnectionDetails connection, DataRedisProperties p) {
    if (connection.getPassword() != null) {
      if (connection.getUsername() != null) {
        b.withAuthentication(connection.getUsername(), connection.getPassword());
      } else {
        b.withPassword(connection.getPassword().toCharArray());
      }
    }
    b.withSsl(connection.getSslBundle() != null || p.getSsl().isEnabled()
        || (p.getUrl() != null && p.getUrl().startsWith("rediss:")));
    if (p.getTimeout() != null) {
      b.withTimeout(p.getTimeout());
    }
    if (p.getClientName() != null) {
      b.withClientName(p.getClientName());
    }
    return b.build();
  }

  private static SslOptions sslOptions(SslBundle bundle) {
    SslOptions.Builder ssl = SslOptions.builder()
        .keyManager(bundle.getManagers().getKeyManagerFactory())
        .trustManager(bundle.getManagers().getTrustManagerFactory());
    if (bundle.getOptions().getCiphers() != null) {
      ssl.cipherSuites(bundle.getOptions().getCiphers());
    }
    if (bundle.getOptions().getEnabledProtocols() != null) {
      ssl.protocols(bundle.getOptions().getEnabledProtocols());
    }
    return ssl.build();
  }

  /** Whether the client runs on resources shared with the rest of the application. */
  boolean sharesClientResources() {
    return !ownsResources;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public <S> Store<S> create(StoreDefinition<S> definition) {
    StoreBuilder<S> options = definition.builder();
    RedisStoreBuilder<S> builder = RedisStore.builder(definition.name(), definition.initial());
    if (client instanceof RedisClusterClient cluster) {
      builder.cluster(cluster);
    } else {
      builder.client((RedisClient) client);
    }
    RedisStore<S> store = builder
        .codec(JsonStateCodec.of(mapper, definition.type()))
        .options(options)
        .writeTimeout(settings.writeTimeout())
        .streamMaxLength(settings.streamMaxLength())
        .pollTimeout(settings.pollTimeout())
        .replicaAcks(settings.replicaAcks(), settings.replicaAckTimeout())
        .queueWrites(settings.queueWrites())
        .writeIdRetention(settings.writeIdRetention())
        .followerPause(settings.followerPause())
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
    if (ownsResources) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "redis";
  }
}
