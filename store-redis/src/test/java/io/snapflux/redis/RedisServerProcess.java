package io.snapflux.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} child process owned by a test, on a free loopback port (never 6379),
 * without persistence unless asked for, so tests can stop and restart Redis to prove the fault
 * rules. Set {@code snapflux.redis.server} to use another binary than {@code /usr/bin/redis-server}.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private final boolean appendOnly;
  private @Nullable Process process;

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
        RedisProcesses.freePort(), Files.createTempDirectory("snapflux-redis-test"), appendOnly);
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

  /**
   * How many times Redis ran {@code command} (lower case, e.g. {@code "xread"}) since its
   * statistics were last reset ({@code CONFIG RESETSTAT}), from {@code INFO commandstats}.
   */
  public static long commandCalls(
      StatefulRedisConnection<String, String> admin, String command) {
    for (String line : admin.sync().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        String calls = line.substring(line.indexOf("calls=") + 6);
        return Long.parseLong(calls.substring(0, calls.indexOf(',')));
      }
    }
    return 0;
  }

  public boolean isRunning() {
    return RedisProcesses.isRunning(process);
  }

  /** Kills the server (SIGKILL: no shutdown save) and waits until it is gone. */
  public void stop() {
    RedisProcesses.kill(process, "redis-server on port " + port);
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
    List<String> cmd = new ArrayList<>(List.of(RedisProcesses.SERVER,
        "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--daemonize", "no", "--dir", dir.toString(),
        "--appendonly", appendOnly ? "yes" : "no"));
    if (appendOnly) {
      cmd.addAll(List.of("--appendfsync", "always"));
    }
    Path log = dir.resolve("redis.log");
    process = RedisProcesses.launch(cmd, log, false);
    RedisProcesses.awaitPong(process, port, log, Duration.ofSeconds(20));
  }

  @Override
  public void close() {
    stop();
  }
}
