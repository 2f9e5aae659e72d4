package io.snapflux.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * How a {@link RedisStore} connects: to one Redis (standalone, or a sentinel-managed primary)
 * through a {@link RedisClient}, or to a Redis Cluster through a {@link RedisClusterClient}
 * (which follows MOVED/ASK redirections and refreshes its view of the topology). The store sees
 * the commands both share ({@link RedisClusterReactiveCommands}, {@link RedisClusterCommands});
 * its keys share one hash tag, so every command of a store goes to one slot.
 */
final class RedisConnector {

  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** How often a cluster client re-reads the topology even when nothing triggered it. */
  static final Duration PERIODIC_REFRESH = Duration.ofSeconds(5);
  /** The least time between two topology refreshes triggered by redirections or reconnects. */
  static final Duration ADAPTIVE_REFRESH_LIMIT = Duration.ofMillis(500);

  private final AbstractRedisClient client;
  private final boolean cluster;

  private RedisConnector(AbstractRedisClient client) {
    this.client = client;
    this.cluster = client instanceof RedisClusterClient;
  }

  static RedisConnector of(RedisClient client) {
    return new RedisConnector(Objects.requireNonNull(client, "client"));
  }

  static RedisConnector of(RedisClusterClient client) {
    return new RedisConnector(Objects.requireNonNull(client, "client"));
  }

  /** A client of the store's own for {@code uri}: rejects commands while disconnected. */
  static RedisConnector own(RedisURI uri) {
    RedisClient c = RedisClient.create(ownResources(), uri);
    c.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    return new RedisConnector(c);
  }

  /** A cluster client of the store's own, seeded with {@code uris}; see {@link #clusterOptions()}. */
  static RedisConnector ownCluster(List<RedisURI> uris) {
    RedisClusterClient c = RedisClusterClient.create(ownResources(), uris);
    c.setOptions(clusterOptions().build());
    return new RedisConnector(c);
  }

  /**
   * The cluster client options a store needs: commands rejected while a node is disconnected
   * (a write retries until its timeout, and a failed master's slots are asked again after the
   * next refresh instead of queueing behind a dead connection), the topology refreshed on every
   * adaptive trigger (MOVED, ASK, persistent reconnects, uncovered slot, unknown node; at most
   * every {@link #ADAPTIVE_REFRESH_LIMIT}) and every {@link #PERIODIC_REFRESH}, so a replica's
   * promotion is picked up within about a second of it.
   */
  static ClusterClientOptions.Builder clusterOptions() {
    return ClusterClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(PERIODIC_REFRESH)
            .enableAllAdaptiveRefreshTriggers()
            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_LIMIT)
            .build());
  }

  /** Reconnect attempts back off to at most one second (Lettuce's default cap is 30 s). */
  private static ClientResources ownResources() {
    return DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(
            Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
  }

  AbstractRedisClient client() {
    return client;
  }

  boolean isCluster() {
    return cluster;
  }

  StatefulConnection<String, byte[]> connect() {
    return cluster
        ? ((RedisClusterClient) client).connect(CODEC)
        : ((RedisClient) client).connect(CODEC);
  }

  @SuppressWarnings("unchecked")
  static RedisClusterReactiveCommands<String, byte[]> reactive(StatefulConnection<String, byte[]> c) {
    return c instanceof StatefulRedisClusterConnection<?, ?> cc
        ? ((StatefulRedisClusterConnection<String, byte[]>) cc).reactive()
        : ((StatefulRedisConnection<String, byte[]>) c).reactive();
  }

  @SuppressWarnings("unchecked")
  static RedisClusterCommands<String, byte[]> sync(StatefulConnection<String, byte[]> c) {
    return c instanceof StatefulRedisClusterConnection<?, ?> cc
        ? ((StatefulRedisClusterConnection<String, byte[]>) cc).sync()
        : ((StatefulRedisConnection<String, byte[]>) c).sync();
  }

  /**
   * The one connection commands for {@code key} go to: {@code c} itself for a standalone Redis;
   * for a cluster, {@code c}'s connection to the master that owns {@code key}'s slot by the
   * client's current view (a MOVED reply then means the view is stale: see {@link
   * #refreshTopology()}).
   */
  @SuppressWarnings("unchecked")
  Mono<StatefulRedisConnection<String, byte[]>> connectionFor(
      StatefulConnection<String, byte[]> c, String key) {
    if (!(c instanceof StatefulRedisClusterConnection<?, ?>)) {
      return Mono.just((StatefulRedisConnection<String, byte[]>) c);
    }
    StatefulRedisClusterConnection<String, byte[]> cc =
        (StatefulRedisClusterConnection<String, byte[]>) c;
    return Mono.defer(() -> {
      int slot = SlotHash.getSlot(key);
      RedisClusterNode master = cc.getPartitions().getMasterBySlot(slot);
      if (master == null) {
        return Mono.error(new IllegalStateException("no master known for slot " + slot));
      }
      return Mono.fromCompletionStage(cc.getConnectionAsync(master.getNodeId()));
    });
  }

  /** Asks a cluster client to re-read the topology now (nothing for a standalone client). */
  void refreshTopology() {
    if (cluster) {
      ((RedisClusterClient) client).refreshPartitionsAsync();
    }
  }
}
