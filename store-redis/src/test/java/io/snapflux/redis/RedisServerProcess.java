package io.snapflux.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} child process owned by a test, on a free loopback port (never 6379),
 * without persistence unless asked for, so tests can stop and restart Redis to prove the fault
 * rules. Set {@code snapflux.redis.server} to use another binary than {@code /usr/bin/redis-server}.
 */
public final class RedisServerProcess implements AutoCloseable {

  private static final String BINARY = System.getProperty("snapflux.redis.server",
      Files.isExecutable(Path.of("/usr/bin/redis-server")) ? "/usr/bin/redis-server" : "redis-server");

  /** Servers still running when the JVM exits (a crashed or interrupted test run) are killed. */
  private static final java.util.Set<Process> RUNNING =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "redis-server-reaper"));
  }

  private final int port;
  private final Path dir;
  private final boolean appendOnly;
  private Process process;

  private RedisServerProcess(int port, Path dir, boolean appendOnly) {
    this.port = port;
    this.dir = dir;
    this.appendOnly = appendOnly;
  }

  /** Starts an in-memory server (no RDB, no AOF): a restart loses everything. */
  public static RedisServerProcess start() throws IOException {
    return start(false);
  }

  /**
   * Starts a server; with {@code appendOnly}, writes go to an AOF (fsync always) in a temporary
   * directory, so a restart comes back with the data.
   */
  public static RedisServerProcess start(boolean appendOnly) throws IOException {
    RedisServerProcess p = new RedisServerProcess(
        freePort(), Files.createTempDirectory("snapflux-redis-test"), appendOnly);
    p.startProcess();
    return p;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** The server's working directory: its {@code dump.rdb} (after SAVE) and log live there. */
  public Path dir() {
    return dir;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Kills the server (SIGKILL: no shutdown save) and waits until it is gone. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    RUNNING.remove(process);
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    process = null;
  }

  /**
   * Saves an RDB snapshot now (SAVE) and keeps a copy of it, for {@link #restartFrom(Path)}:
   * Redis "back older", as after an RDB restore or a lagging replica's promotion.
   */
  public Path saveRdb() throws IOException {
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri());
        io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
      String ok = c.sync().save();
      if (!"OK".equals(ok)) {
        throw new IllegalStateException("SAVE answered " + ok);
      }
    }
    Path copy = Files.createTempFile(dir, "saved-", ".rdb");
    return Files.copy(dir.resolve("dump.rdb"), copy, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Kills the server and starts it again on the same port from {@code rdb} (a copy from {@link
   * #saveRdb()}), or empty if {@code rdb} is {@code null}.
   */
  public void restartFrom(@Nullable Path rdb) throws IOException {
    stop();
    if (rdb == null) {
      Files.deleteIfExists(dir.resolve("dump.rdb"));
    } else {
      Files.copy(rdb, dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
    }
    startProcess();
  }

  /** Starts the server again on the same port (with its AOF, if it has one). */
  public void restart() throws IOException {
    stop();
    startProcess();
  }

  private void startProcess() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(BINARY,
        "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--daemonize", "no", "--dir", dir.toString(),
        "--appendonly", appendOnly ? "yes" : "no"));
    if (appendOnly) {
      cmd.addAll(List.of("--appendfsync", "always"));
    }
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    RUNNING.add(process);
    Awaitility.await("redis-server on port " + port + " answering PING")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(this::pong);
  }

  private boolean pong() {
    if (!process.isAlive()) {
      throw new IllegalStateException("redis-server exited: see " + dir.resolve("redis.log"));
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    for (;;) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = s.getLocalPort();
        if (port != 6379) {
          return port;
        }
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
