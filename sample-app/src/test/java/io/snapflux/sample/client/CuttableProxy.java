package io.snapflux.sample.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder to a local port whose connections a test can cut (each socket closed
 * at once, as a network failure or an idle-timeout proxy would), while new ones still pass.
 */
final class CuttableProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int target;
  private final List<Socket> live = new CopyOnWriteArrayList<>();
  /** The {@code Last-Event-ID} of each stream request that passed ("-" when it had none). */
  final List<String> lastEventIds = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;

  CuttableProxy(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "cuttable-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Closes every connection open now, and every new one until {@link #restore()}. */
  void cut() {
    refusing = true;
    for (Socket s : live) {
      close(s);
    }
  }

  /** Lets connections through again. */
  void restore() {
    refusing = false;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (refusing) {
          client.close();
          continue;
        }
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        live.add(client);
        live.add(upstream);
        pump(client, upstream, true);
        pump(upstream, client, false);
      } catch (IOException e) {
        // closed, or the target is down: the client sees its connection fail
      }
    }
  }

  private void pump(Socket from, Socket to, boolean requests) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (requests) {
            record(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // cut or closed
      } finally {
        close(from);
        close(to);
      }
    }, "cuttable-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void record(String request) {
    if (!request.startsWith("GET /api/stream")) {
      return;
    }
    lastEventIds.add(request.lines()
        .filter(line -> line.regionMatches(true, 0, "Last-Event-ID:", 0, 14))
        .map(line -> line.substring(14).trim())
        .findFirst().orElse("-"));
  }

  private void close(Socket s) {
    live.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    cut();
  }
}
