package io.snapflux.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * What {@link RedisServerProcess}, {@link RedisClusterProcess} and {@link RedisSentinelProcess}
 * share in handling {@code redis-server} child processes: the binaries, free loopback ports
 * (never 6379), starting a process with its output in a log file, waiting until it answers PING,
 * killing it, short-lived connections to one node, and deleting a temporary directory. Every
 * process started here that is still running when the JVM exits (a crashed or interrupted test
 * run) is killed.
 */
final class RedisProcesses {

  /** {@code redis-server}: property {@code snapflux.redis.server}, else /usr/bin's, else PATH's. */
  static final String SERVER = binary("snapflux.redis.server", "redis-server");
  /** {@code redis-cli}: property {@code snapflux.redis.cli}, else /usr/bin's, else PATH's. */
  static final String CLI = binary("snapflux.redis.cli", "redis-cli");

  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "redis-process-reaper"));
  }

  private RedisProcesses() {}

  private static String binary(String property, String name) {
    Path usrBin = Path.of("/usr/bin", name);
    return System.getProperty(property, Files.isExecutable(usrBin) ? usrBin.toString() : name);
  }

  /**
   * Starts {@code command} with its output (stdout and stderr) in {@code log}, appended to or
   * replacing what is there, and kills it when the JVM exits if nobody did before.
   */
  static Process launch(List<String> command, Path log, boolean append) throws IOException {
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(append
            ? ProcessBuilder.Redirect.appendTo(log.toFile())
            : ProcessBuilder.Redirect.to(log.toFile()))
        .start();
    RUNNING.add(process);
    return process;
  }

  /** Whether {@code process} was started and has not exited. */
  static boolean isRunning(@Nullable Process process) {
    return process != null && process.isAlive();
  }

  /**
   * Kills {@code process} (SIGKILL: no shutdown save) and waits until it is gone; nothing if it is
   * {@code null}. {@code what} names it in the error if it does not stop.
   */
  static void kill(@Nullable Process process, String what) {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    RUNNING.remove(process);
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException(what + " did not stop within 20 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what + " to stop", e);
    }
  }

  /**
   * Waits until the {@code redis-server} on {@code port} answers PING; fails at once, naming
   * {@code log}, if {@code process} exits meanwhile.
   */
  static void awaitPong(Process process, int port, Path log, Duration atMost) {
    Awaitility.await("redis-server on port " + port + " answering PING")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " exited: see " + log);
          }
          return pong(port);
        });
  }

  private static boolean pong(int port) {
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

  /** Runs {@code f} on a short-lived connection (2 s timeout) to the node on {@code port}. */
  static <T> T query(int port, Function<StatefulRedisConnection<String, String>, T> f) {
    RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1")
        .withPort(port).withTimeout(Duration.ofSeconds(2)).build());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return f.apply(c);
    } finally {
      client.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }

  /** A free loopback port, never 6379. */
  static int freePort() throws IOException {
    return freePorts(1).get(0);
  }

  /** {@code count} different free loopback ports, never 6379 (held open until all are found). */
  static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      while (held.size() < count) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        if (s.getLocalPort() == 6379) {
          s.close();
        } else {
          held.add(s);
        }
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  /** Deletes {@code root} and everything below it. */
  static void deleteTree(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException("could not delete " + p, e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
