package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store connected through a Redis Sentinel the test starts ({@code redis-server --sentinel}
 * monitoring a master with one replica): it finds the master through the sentinel and its
 * writes are acknowledged by the replica. A failover through Sentinel is not tested here: after
 * {@code SENTINEL FAILOVER} the old master took writes for about 10 s until the sentinel
 * demoted it (Sentinel's split brain; the store then carried its state past the lost versions),
 * which makes the test too slow for the suite (see docs/redis.md).
 */
final class RedisSentinelTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final TestResources resources = new TestResources();
  private final String name = "sentinel-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() throws Exception {
    resources.close();
  }

  @Test
  void storeFindsTheMasterThroughTheSentinel_andItsReplicaAcknowledges() throws Exception {
    RedisServerProcess master = resources.server();
    RedisServerProcess replica = resources.server();
    try (RedisClient c = RedisClient.create(replica.uri());
        StatefulRedisConnection<String, String> conn = c.connect()) {
      try (RedisClient m = RedisClient.create(master.uri());
          StatefulRedisConnection<String, String> mc = m.connect()) {
        // The full sync starts at once, not after the default 5 s wait for other replicas.
        mc.sync().configSet("repl-diskless-sync-delay", "0");
      }
      conn.sync().replicaof("127.0.0.1", master.port());
      Awaitility.await().atMost(TIMEOUT)
          .until(() -> conn.sync().info("replication").contains("master_link_status:up"));
      // WAIT counts a replica once the master has it online (its first ACK, up to 1 s later).
      try (RedisClient m = RedisClient.create(master.uri());
          StatefulRedisConnection<String, String> mc = m.connect()) {
        Awaitility.await("replica online on the master").atMost(Duration.ofSeconds(20))
            .until(() -> mc.sync().info("replication").contains("state=online"));
      }
    }
    int sentinelPort = startSentinel(master.port());

    RedisStore<Integer> store = RedisStore.builder(name, 0)
        .uri(RedisURI.Builder.sentinel("127.0.0.1", sentinelPort, "mymaster").build())
        .type(Integer.class)
        .writeTimeout(Duration.ofSeconds(5))
        .replicaAcks(1, Duration.ofSeconds(2))
        .build();
    resources.add(store);
    for (int i = 0; i < 10; i++) {
      store.update("inc", x -> x + 1);
    }
    assertThat(version(master)).isEqualTo("10");

    // With replica acknowledgement: WAIT on the connection the sentinel led to.
    assertThat(version(replica)).isEqualTo("10");
  }

  private String version(RedisServerProcess server) {
    try (RedisClient c = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().get("snapflux:{" + name + "}:version");
    }
  }

  /** Starts {@code redis-server --sentinel} monitoring {@code masterPort} (quorum 1). */
  private int startSentinel(int masterPort) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("snapflux-sentinel");
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(conf, String.join("\n",
        "port " + port, "bind 127.0.0.1", "dir " + dir,
        "sentinel monitor mymaster 127.0.0.1 " + masterPort + " 1",
        "sentinel down-after-milliseconds mymaster 1000",
        "sentinel failover-timeout mymaster 5000", ""));
    String binary = System.getProperty("snapflux.redis.server", "/usr/bin/redis-server");
    Process p = new ProcessBuilder(binary, conf.toString(), "--sentinel")
        .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
    resources.add(() -> {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    });
    int sentinelPort = port;
    Awaitility.await("sentinel up, monitoring the master").atMost(TIMEOUT).ignoreExceptions()
        .until(() -> {
          try (RedisClient c = RedisClient.create(RedisURI.create("127.0.0.1", sentinelPort));
              StatefulRedisConnection<String, String> s = c.connect()) {
            return s.sync().info("sentinel").contains("status=ok");
          }
        });
    return port;
  }
}
