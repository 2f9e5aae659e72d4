package io.snapflux.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;

/**
 * A Sentinel-managed Redis owned by a test: a master and {@code replicas} replicas
 * ({@link RedisServerProcess}, in memory, on free loopback ports), watched by three {@code
 * redis-server --sentinel} processes with quorum 2 ({@code down-after-milliseconds} 1000, so a
 * killed master is promoted away from in about 2-4 s). {@link #start(int)} returns once every
 * replica is online on the master and every sentinel knows the master, its replicas and the two
 * other sentinels. {@link #close()} kills everything and deletes the sentinels' directories.
 */
public final class RedisSentinelProcess implements AutoCloseable {

  /** The name the sentinels monitor the master under. */
  public static final String MASTER_NAME = "mymaster";

  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final List<RedisServerProcess> servers = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();
  private final List<Process> sentinels = new ArrayList<>();
  private final Path root;

  private RedisSentinelProcess(Path root) {
    this.root = root;
  }

  /** Starts a master, {@code replicas} replicas of it and three sentinels (quorum 2). */
  public static RedisSentinelProcess start(int replicas) throws IOException {
    RedisSentinelProcess s = new RedisSentinelProcess(Files.createTempDirectory("snapflux-sentinel"));
    try {
      s.create(replicas);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void create(int replicas) throws IOException {
    for (int i = 0; i <= replicas; i++) {
      RedisServerProcess server = RedisServerProcess.start();
      servers.add(server);
      // A replica's full sync starts at once (every node may become the master).
      run(server.port(), c -> c.sync().configSet("repl-diskless-sync-delay", "0"));
    }
    int master = servers.get(0).port();
    for (RedisServerProcess replica : servers.subList(1, servers.size())) {
      run(replica.port(), c -> c.sync().replicaof("127.0.0.1", master));
    }
    awaitReplicasOnline(master, replicas);
    for (int i = 0; i < 3; i++) {
      startSentinel(i, master);
    }
    Awaitility.await("three sentinels that know the master, its replicas and each other")
        .atMost(STARTUP).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> {
          for (int port : sentinelPorts) {
            Map<String, String> m = sentinel(port, c -> c.sync().master(MASTER_NAME));
            if (!"2".equals(m.get("num-other-sentinels"))
                || !Integer.toString(replicas).equals(m.get("num-slaves"))
                || m.get("flags").contains("down")) {
              return false;
            }
          }
          return true;
        });
  }

  /** The sentinels' URI for a client ({@code RedisURI.Builder.sentinel} with all three). */
  public RedisURI uri() {
    RedisURI.Builder b = RedisURI.Builder.sentinel("127.0.0.1", sentinelPorts.get(0), MASTER_NAME);
    for (int port : sentinelPorts.subList(1, sentinelPorts.size())) {
      b.withSentinel("127.0.0.1", port);
    }
    return b.build();
  }

  /** The sentinels' ports (for {@code spring.data.redis.sentinel.nodes}). */
  public List<Integer> sentinelPorts() {
    return List.copyOf(sentinelPorts);
  }

  /** The port of the master, as the first sentinel that answers names it. */
  public int masterPort() {
    for (int port : sentinelPorts) {
      try {
        return sentinel(port, RedisSentinelProcess::namedMaster);
      } catch (RuntimeException e) {
        // the next sentinel
      }
    }
    throw new IllegalStateException("no sentinel names a master");
  }

  /** The ports of every data node (master and replicas), in start order. */
  public List<Integer> serverPorts() {
    return servers.stream().map(RedisServerProcess::port).toList();
  }

  /** Kills the data node on {@code port} (SIGKILL). */
  public void kill(int port) {
    server(port).stop();
  }

  /**
   * Starts the killed data node on {@code port} again (empty: no persistence) as a replica of the
   * master the sentinels name, as they would make it themselves: left to them, the conversion
   * took 13 s idle, over 30 s under a loaded CI run, and once more than 90 s.
   */
  public void restart(int port) throws IOException {
    RedisServerProcess s = server(port);
    s.restart();
    run(port, c -> c.sync().configSet("repl-diskless-sync-delay", "0"));
    int master = masterPort();
    if (master != port) {
      run(port, c -> c.sync().replicaof("127.0.0.1", master));
    }
  }

  /**
   * Waits until every sentinel names a master other than {@code oldMaster} and that node says
   * it is a master.
   *
   * @return the new master's port
   */
  public int awaitPromotion(int oldMaster, Duration atMost) {
    int[] now = new int[1];
    Awaitility.await("a replica promoted by the sentinels").atMost(atMost)
        .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> {
          int first = -1;
          for (int port : sentinelPorts) {
            int named = sentinel(port, RedisSentinelProcess::namedMaster);
            if (named == oldMaster || (first >= 0 && named != first)) {
              return false;
            }
            first = named;
          }
          now[0] = first;
          return run(first, c -> c.sync().info("replication")).contains("role:master");
        });
    return now[0];
  }

  /**
   * Waits until the master on {@code master} has {@code replicas} replicas online, up to 90 s.
   */
  public void awaitReplicasOnline(int master, int replicas) {
    Awaitility.await(replicas + " replica(s) online on " + master).atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> {
          String info = run(master, c -> c.sync().info("replication"));
          // Online on the master's side: WAIT counts a replica from its first ACK on.
          return info.contains("role:master")
              && info.contains("connected_slaves:" + replicas)
              && info.split("state=online", -1).length - 1 == replicas;
        });
  }

  /** Runs {@code f} on a short-lived connection to the node on {@code port}. */
  public <T> T run(int port, Function<StatefulRedisConnection<String, String>, T> f) {
    return RedisProcesses.query(port, f);
  }

  /** Runs {@code f} on a short-lived connection to the sentinel on {@code port}. */
  private static <T> T sentinel(int port,
      Function<StatefulRedisSentinelConnection<String, String>, T> f) {
    RedisClient client = RedisClient.create();
    try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel(
        RedisURI.builder().withHost("127.0.0.1").withPort(port)
            .withTimeout(Duration.ofSeconds(2)).build())) {
      return f.apply(c);
    } finally {
      client.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }

  private static int namedMaster(StatefulRedisSentinelConnection<String, String> c) {
    return ((InetSocketAddress) c.sync().getMasterAddrByName(MASTER_NAME)).getPort();
  }

  private RedisServerProcess server(int port) {
    return servers.stream().filter(s -> s.port() == port).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no data node on port " + port));
  }

  private void startSentinel(int i, int masterPort) throws IOException {
    int port = RedisProcesses.freePort();
    Path dir = Files.createDirectories(root.resolve("sentinel-" + i));
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(conf, String.join("\n",
        "port " + port, "bind 127.0.0.1", "dir " + dir,
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
        "sentinel failover-timeout " + MASTER_NAME + " 10000",
        "sentinel parallel-syncs " + MASTER_NAME + " 2", ""));
    List<String> cmd = List.of(RedisProcesses.SERVER, conf.toString(), "--sentinel");
    sentinels.add(RedisProcesses.launch(cmd, dir.resolve("sentinel.log"), false));
    sentinelPorts.add(port);
  }

  @Override
  public void close() {
    for (int i = 0; i < sentinels.size(); i++) {
      RedisProcesses.kill(sentinels.get(i), "redis-sentinel on port " + sentinelPorts.get(i));
    }
    servers.forEach(RedisServerProcess::close);
    RedisProcesses.deleteTree(root);
  }
}
