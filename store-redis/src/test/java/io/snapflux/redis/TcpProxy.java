package io.snapflux.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A loopback TCP forwarder between Redis clients and a test-owned Redis, that a test can cut (to
 * partition one application instance from a Redis that stays up for the others) or arm with a
 * one-shot fault on the next request containing a marker (e.g. the COMMIT script's digest):
 * see {@link Fault}. While cut, it drops every live connection and closes new ones at once.
 */
final class TcpProxy implements AutoCloseable {

  /** What happens to the connection whose request matched. */
  enum Fault {
    /** The request reaches Redis; the reply is replaced by a connection reset (RST). */
    RESET_AFTER_FORWARD,
    /**
     * The request reaches Redis; its reply and everything after it is swallowed for the
     * fault's duration (a black hole), then the connection is closed.
     */
    DROP_REPLY,
    /** The request reaches Redis; the reply is held back for the fault's duration. */
    DELAY_REPLY,
    /** The request is held back for the fault's duration, then forwarded (a slow network). */
    DELAY_REQUEST
  }

  private record Armed(Fault fault, byte[] marker, Duration duration) {}

  /** One client connection and its upstream: the fault state of the pair. */
  private final class Pair {
    final Socket client;
    final Socket upstream;
    volatile @Nullable Armed fault;
    volatile boolean blackHole;

    Pair(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }
  }

  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> live = new CopyOnWriteArrayList<>();
  private final AtomicReference<@Nullable Armed> armed = new AtomicReference<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tcp-proxy-timer");
    t.setDaemon(true);
    return t;
  });
  private volatile CountDownLatch fired = new CountDownLatch(1);
  private volatile CountDownLatch done = new CountDownLatch(1);
  private volatile boolean cut;

  TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String uri() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Drops the live connections and refuses new ones until {@link #restore()}. */
  void cut() {
    cut = true;
    for (Socket s : live) {
      closeQuietly(s);
    }
    live.clear();
  }

  void restore() {
    cut = false;
  }

  /**
   * Arms {@code fault} for the next client request containing {@code marker}.
   *
   * @param duration how long a delay or black hole lasts
   */
  void arm(Fault fault, String marker, Duration duration) {
    fired = new CountDownLatch(1);
    done = new CountDownLatch(1);
    armed.set(new Armed(fault, marker.getBytes(StandardCharsets.UTF_8), duration));
  }

  /** Whether the armed fault hit a request within {@code timeout}. */
  boolean awaitFired(Duration timeout) throws InterruptedException {
    return fired.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the fault ran its course (reply reset, dropped, or delivered late) in time. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (cut) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        live.add(client);
        live.add(upstream);
        Pair pair = new Pair(client, upstream);
        pump(pair, true);
        pump(pair, false);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Pair pair, boolean request) {
    Socket from = request ? pair.client : pair.upstream;
    Socket to = request ? pair.upstream : pair.client;
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (request) {
            forwardRequest(pair, buf, n, out);
          } else if (!forwardReply(pair, buf, n, out)) {
            return;
          }
        }
      } catch (IOException | InterruptedException e) {
        // Cut or closed: end both sides.
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        live.remove(from);
        live.remove(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void forwardRequest(Pair pair, byte[] buf, int n, OutputStream out)
      throws IOException, InterruptedException {
    Armed a = armed.get();
    if (a != null && contains(buf, n, a.marker()) && armed.compareAndSet(a, null)) {
      pair.fault = a;
      if (a.fault() != Fault.DELAY_REQUEST) {
        out.write(buf, 0, n);
        out.flush();
        fired.countDown();
        return;
      }
      fired.countDown();
      TimeUnit.MILLISECONDS.sleep(a.duration().toMillis()); // the simulated slow network
      pair.fault = null;
      out.write(buf, 0, n);
      out.flush();
      done.countDown();
      return;
    }
    if (!pair.blackHole) {
      out.write(buf, 0, n);
      out.flush();
    }
  }

  /** Returns false when the connection is finished. */
  private boolean forwardReply(Pair pair, byte[] buf, int n, OutputStream out)
      throws IOException, InterruptedException {
    Armed a = pair.fault;
    if (a == null) {
      if (!pair.blackHole) {
        out.write(buf, 0, n);
        out.flush();
      }
      return true;
    }
    pair.fault = null;
    switch (a.fault()) {
      case RESET_AFTER_FORWARD -> {
        pair.client.setSoLinger(true, 0); // close() now sends RST
        closeQuietly(pair.client);
        closeQuietly(pair.upstream);
        done.countDown();
        return false;
      }
      case DROP_REPLY -> {
        pair.blackHole = true;
        timer.schedule(() -> {
          closeQuietly(pair.client);
          closeQuietly(pair.upstream);
          done.countDown();
        }, a.duration().toMillis(), TimeUnit.MILLISECONDS);
        return true;
      }
      case DELAY_REPLY -> {
        TimeUnit.MILLISECONDS.sleep(a.duration().toMillis()); // the simulated slow reply
        out.write(buf, 0, n);
        out.flush();
        done.countDown();
        return true;
      }
      default -> {
        out.write(buf, 0, n);
        out.flush();
        return true;
      }
    }
  }

  private static boolean contains(byte[] buf, int n, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= n; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (buf[i + j] != marker[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Nothing to do.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    cut();
    timer.shutdownNow();
  }
}
