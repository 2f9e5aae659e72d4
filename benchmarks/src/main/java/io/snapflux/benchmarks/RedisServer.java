package io.snapflux.benchmarks;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} child process for {@link RedisBenchmark}: a free loopback port (never
 * 6379, never a non-loopback address), no persistence ({@code --save "" --appendonly no}), a
 * temporary working directory. A minimal copy of store-redis's test {@code RedisServerProcess}
 * (whose test-jar drags in Awaitility). Set {@code snapflux.redis.server} to use another binary
 * than {@code /usr/bin/redis-server} (or {@code redis-server} on the path).
 */
final class RedisServer implements AutoCloseable {

  private static final String BINARY = System.getProperty("snapflux.redis.server",
      Files.isExecutable(Path.of("/usr/bin/redis-server")) ? "/usr/bin/redis-server"
          : "redis-server");

  private final int port;
  private final Path dir;
  private final Process process;
  private final Thread reaper;

  private RedisServer(int port, Path dir, Process process) {
    this.port = port;
    this.dir = dir;
    this.process = process;
    // A fork that dies (or is killed by JMH's timeout) must not leave its server behind.
    this.reaper = new Thread(process::destroyForcibly, "redis-server-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts a server and waits (at most 20 s) until it answers {@code PING}. */
  static RedisServer start() throws IOException, InterruptedException {
    int port = freePort();
    Path dir = Files.createTempDirectory("snapflux-redis-bench");
    Process p = new ProcessBuilder(List.of(BINARY,
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    RedisServer server = new RedisServer(port, dir, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!server.pong()) {
      if (!p.isAlive()) {
        String log = Files.readString(dir.resolve("redis.log"));
        server.close();
        throw new IllegalStateException("redis-server exited: " + log);
      }
      if (System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException("redis-server on port " + port + " not answering PING");
      }
      Thread.sleep(20); // set-up only, never in a measured method
    }
    return server;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  private boolean pong() {
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

  /** Stops the server (SIGTERM, SIGKILL after 10 s) and deletes its directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway; the process is already gone
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }
}
