package io.snapflux.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A Redis Cluster of 3 masters and 3 replicas owned by a test: six {@code redis-server} child
 * processes on free loopback ports ({@code --cluster-enabled yes}, AOF on, a short {@code
 * cluster-node-timeout} so that a killed master fails over in about two seconds), joined with
 * {@code redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes}. {@link #start()}
 * returns once {@code cluster info} says {@code ok} on every node and every master has its
 * replica in sync. A node can be killed (SIGKILL) and restarted with its data and {@code
 * nodes.conf}; {@link #close()} kills them all and deletes the temporary directory.
 */
public final class RedisClusterProcess implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(30);

  /** One node: its client port, its cluster bus port, its directory and its process. */
  private static final class Node {
    final int port;
    final int busPort;
    final Path dir;
    @Nullable Process process;

    Node(int port, int busPort, Path dir) {
      this.port = port;
      this.busPort = busPort;
      this.dir = dir;
    }
  }

  private final Path root;
  private final int nodeTimeoutMillis;
  private final List<Node> nodes = new ArrayList<>();

  private RedisClusterProcess(Path root, int nodeTimeoutMillis) {
    this.root = root;
    this.nodeTimeoutMillis = nodeTimeoutMillis;
  }

  /** Starts a 3 + 3 cluster with a cluster-node-timeout of 1 second. */
  public static RedisClusterProcess start() throws IOException {
    return start(1000);
  }

  /** Starts a 3 + 3 cluster with the given cluster-node-timeout. */
  public static RedisClusterProcess start(int nodeTimeoutMillis) throws IOException {
    RedisClusterProcess c = new RedisClusterProcess(
        Files.createTempDirectory("snapflux-redis-cluster"), nodeTimeoutMillis);
    try {
      c.create();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void create() throws IOException {
    List<Integer> ports = RedisProcesses.freePorts(12);
    for (int i = 0; i < 6; i++) {
      Path dir = Files.createDirectories(root.resolve("node-" + i));
      Node n = new Node(ports.get(2 * i), ports.get(2 * i + 1), dir);
      nodes.add(n);
      startProcess(n);
    }
    for (Node n : nodes) {
      awaitPong(n);
    }
    List<String> cmd = new ArrayList<>(List.of(RedisProcesses.CLI, "--cluster", "create"));
    nodes.forEach(n -> cmd.add("127.0.0.1:" + n.port));
    cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process create = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(root.resolve("create.log").toFile()).start();
    try {
      if (!create.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS) || create.exitValue() != 0) {
        create.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create failed: "
            + Files.readString(root.resolve("create.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    awaitHealthy();
  }

  /** The seed URIs of every node (for {@code RedisClusterClient.create}). */
  public List<RedisURI> uris() {
    return nodes.stream().map(n -> RedisURI.create("127.0.0.1", n.port)).toList();
  }

  /** The nodes as {@code host:port}, comma-separated ({@code spring.data.redis.cluster.nodes}). */
  public String nodesProperty() {
    return String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port).toList());
  }

  /** The client ports of the six nodes, in creation order. */
  public List<Integer> ports() {
    return nodes.stream().map(n -> n.port).toList();
  }

  /** The port of the master that owns {@code key}'s slot now, asked of a live node. */
  public int masterPortOf(String key) {
    int slot = SlotHash.getSlot(key);
    for (Node n : nodes) {
      if (!isRunning(n)) {
        continue;
      }
      try {
        String cluster = query(n, c -> c.sync().clusterNodes());
        for (String line : cluster.lines().toList()) {
          String[] f = line.split(" ");
          if (!f[2].contains("master") || f[2].contains("fail")) {
            continue;
          }
          for (int i = 8; i < f.length; i++) {
            String[] range = f[i].split("-");
            if (range[0].startsWith("[")) {
              continue;
            }
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            if (slot >= from && slot <= to) {
              String address = f[1].substring(0, f[1].indexOf('@'));
              return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            }
          }
        }
      } catch (RuntimeException e) {
        // try the next node
      }
    }
    throw new IllegalStateException("no live node names a master for slot " + slot);
  }

  /** Kills the node on {@code port} (SIGKILL: no shutdown save) and waits until it is gone. */
  public void kill(int port) {
    Node n = node(port);
    RedisProcesses.kill(n.process, "redis-server on port " + port);
    n.process = null;
  }

  /** Starts the killed node on {@code port} again, with its AOF and its {@code nodes.conf}. */
  public void restart(int port) throws IOException {
    Node n = node(port);
    kill(port);
    startProcess(n);
    awaitPong(n);
  }

  /**
   * Waits until a master other than {@code oldMasterPort} owns {@code key}'s slot (the replica
   * was promoted) and the live nodes say the cluster is ok.
   *
   * @return the new master's port
   */
  public int awaitFailover(String key, int oldMasterPort, Duration atMost) {
    int[] now = new int[1];
    Awaitility.await("a replica promoted for " + key).atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> {
          now[0] = masterPortOf(key);
          return now[0] != oldMasterPort && liveNodesOk();
        });
    return now[0];
  }

  /**
   * Waits until every node runs, says the cluster is ok, and every master has a connected
   * replica, online on the master's side, whose link is up.
   */
  public void awaitHealthy() {
    Awaitility.await("the cluster ok on every node, replicas in sync").atMost(STARTUP)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> {
          if (!liveNodesOk() || nodes.stream().anyMatch(n -> !isRunning(n))) {
            return false;
          }
          for (Node n : nodes) {
            String info = query(n, c -> c.sync().info("replication"));
            // Online on the master's side too (a replica goes online with its first ACK, up to a
            // second after its link is up; WAIT counts only online replicas).
            if (info.contains("role:master")
                && !(info.contains("connected_slaves:1") && info.contains("state=online"))) {
              return false;
            }
            if (info.contains("role:slave") && !info.contains("master_link_status:up")) {
              return false;
            }
          }
          return true;
        });
  }

  private boolean liveNodesOk() {
    for (Node n : nodes) {
      if (isRunning(n) && !query(n, c -> c.sync().clusterInfo()).contains("cluster_state:ok")) {
        return false;
      }
    }
    return true;
  }

  private static boolean isRunning(Node n) {
    return RedisProcesses.isRunning(n.process);
  }

  private Node node(int port) {
    return nodes.stream().filter(n -> n.port == port).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node on port " + port));
  }

  private static <T> T query(Node n, Function<StatefulRedisConnection<String, String>, T> f) {
    return RedisProcesses.query(n.port, f);
  }

  private void startProcess(Node n) throws IOException {
    List<String> cmd = List.of(RedisProcesses.SERVER,
        "--port", Integer.toString(n.port), "--cluster-port", Integer.toString(n.busPort),
        "--bind", "127.0.0.1", "--daemonize", "no", "--dir", n.dir.toString(),
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", Integer.toString(nodeTimeoutMillis),
        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
        // A replica's full sync starts at once, not after the default 5 s wait for others.
        "--repl-diskless-sync-delay", "0");
    n.process = RedisProcesses.launch(cmd, n.dir.resolve("redis.log"), true);
  }

  private static void awaitPong(Node n) {
    RedisProcesses.awaitPong(
        Objects.requireNonNull(n.process), n.port, n.dir.resolve("redis.log"), STARTUP);
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      kill(n.port);
    }
    RedisProcesses.deleteTree(root);
  }
}
