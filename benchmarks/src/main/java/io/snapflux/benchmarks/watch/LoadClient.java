package io.snapflux.benchmarks.watch;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The load client of {@link WatchBenchmark}, run as a child JVM so that the server's process CPU
 * time, heap and thread count are the server's alone (and each process stays under the open
 * file limit with 10,000 connections). Loopback only; it exits by itself after a deadline.
 * It talks to the parent on standard output, one line per fact, and reads {@code quit} on
 * standard input.
 *
 * <ul>
 *   <li>{@code sse <port> <n> <deadline-s> [path]}: opens {@code n} streams of {@code path}
 *       (default {@code /api/stream})
 *       (at most {@value #CONNECTING} connecting at once), prints {@code event <k>} when every
 *       stream has received its {@code k}-th event ({@code event 1}: all connected, the
 *       snapshot), {@code error <text>} for a stream that failed.
 *   <li>{@code poll <port> <n> <etag> <wait-s> <deadline-s>}: sends {@code n} long polls ({@code
 *       If-None-Match: <etag>}, {@code Prefer: wait=<wait-s>}), prints {@code sent <n>} when all
 *       are on the wire and {@code done <n200> <n304> <other> <errors>} when all are answered.
 *   <li>{@code get <port> <path> <connections> <seconds>}: a closed loop of {@code GET}s on
 *       {@code connections} kept-alive connections for {@code seconds}; prints {@code requests
 *       <count> <errors>}. The fallback when {@code wrk} is not installed.
 * </ul>
 */
public final class LoadClient {

  /** At most this many connections being opened at once (the listen backlog is finite). */
  static final int CONNECTING = 200;

  private LoadClient() {}

  /**
   * Runs one mode, see the class documentation.
   *
   * @param args the mode and its arguments
   * @throws Exception on a failure, which ends the process
   */
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    int deadline = switch (mode) {
      case "sse" -> Integer.parseInt(args[3]);
      case "poll" -> Integer.parseInt(args[5]);
      case "get" -> Integer.parseInt(args[4]) + 60;
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    };
    Thread killer = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(deadline)); // the bound on the client's lifetime
        System.out.println("deadline");
        System.exit(3);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "deadline");
    killer.setDaemon(true);
    killer.start();
    String base = "http://127.0.0.1:" + port;
    switch (mode) {
      case "sse" -> sse(base, Integer.parseInt(args[2]), args.length > 4 ? args[4] : "/api/stream");
      case "poll" -> poll(base, Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]));
      default -> get(base, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }
    System.out.flush();
    System.exit(0);
  }

  private static HttpClient unpooled(String base) {
    return HttpClient.create(ConnectionProvider.newConnection()).baseUrl(base);
  }

  /** One stream's event count; touched only by its connection's event loop thread. */
  private static final class Counter {
    int events;
    boolean newline;
  }

  private static void sse(String base, int n, String path) throws Exception {
    HttpClient http = unpooled(base).headers(h -> h.set("Accept", "text/event-stream"));
    AtomicIntegerArray reached = new AtomicIntegerArray(100_000);
    Semaphore connecting = new Semaphore(CONNECTING);
    List<Disposable> streams = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      connecting.acquire(); // the client's own main thread, never a Reactor thread
      Counter counter = new Counter();
      AtomicInteger released = new AtomicInteger();
      Runnable release = () -> {
        if (released.getAndIncrement() == 0) {
          connecting.release();
        }
      };
      streams.add(http.get().uri(path)
          .response((response, body) -> {
            if (response.status().code() != 200) {
              return Mono.error(new IllegalStateException("status " + response.status()));
            }
            return body.doOnNext(buf -> scan(buf, counter, reached, n, release)).then();
          })
          .subscribe(null, e -> {
            System.out.println("error " + e);
            release.run();
          }));
    }
    awaitQuit();
    streams.forEach(Disposable::dispose);
  }

  /** Counts the events (blank-line terminated; the server sends no comments) in a chunk. */
  private static void scan(ByteBuf buf, Counter counter, AtomicIntegerArray reached, int n,
      Runnable connected) {
    buf.forEachByte(b -> {
      if (b == '\n') {
        if (counter.newline) {
          int k = ++counter.events;
          if (k == 1) {
            connected.run();
          }
          if (k < reached.length() && reached.incrementAndGet(k) == n) {
            System.out.println("event " + k);
          }
          counter.newline = false;
        } else {
          counter.newline = true;
        }
      } else {
        counter.newline = false;
      }
      return true;
    });
  }

  private static void poll(String base, int n, String eTag, int wait) throws Exception {
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger notModified = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch answered = new CountDownLatch(n);
    AtomicInteger sent = new AtomicInteger();
    Semaphore connecting = new Semaphore(CONNECTING);
    HttpClient http = unpooled(base)
        .headers(h -> h.set("If-None-Match", eTag).set("Prefer", "wait=" + wait))
        .doAfterRequest((request, connection) -> {
          connecting.release();
          if (sent.incrementAndGet() == n) {
            System.out.println("sent " + n);
          }
        });
    for (int i = 0; i < n; i++) {
      connecting.acquire();
      http.get().uri("/api/state")
          .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
              .map(text -> response.status()))
          .subscribe(status -> {
            if (status.equals(HttpResponseStatus.OK)) {
              ok.incrementAndGet();
            } else if (status.equals(HttpResponseStatus.NOT_MODIFIED)) {
              notModified.incrementAndGet();
            } else {
              other.incrementAndGet();
            }
            answered.countDown();
          }, e -> {
            if (errors.incrementAndGet() == 1) {
              System.out.println("error " + e);
            }
            if (sent.get() < n) {
              connecting.release();
            }
            answered.countDown();
          });
    }
    answered.await();
    System.out.println("done " + ok + " " + notModified + " " + other + " " + errors);
    awaitQuit();
  }

  private static void get(String base, String path, int connections, int seconds)
      throws Exception {
    ConnectionProvider pool = ConnectionProvider.builder("get").maxConnections(connections)
        .pendingAcquireMaxCount(-1).build();
    HttpClient http = HttpClient.create(pool).baseUrl(base);
    AtomicLong requests = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch loops = new CountDownLatch(connections);
    for (int i = 0; i < connections; i++) {
      loop(http, path, end, requests, errors, loops);
    }
    loops.await();
    System.out.println("requests " + requests + " " + errors);
    pool.disposeLater().block(Duration.ofSeconds(10));
  }

  private static void loop(HttpClient http, String path, long end, AtomicLong requests,
      AtomicLong errors, CountDownLatch loops) {
    if (System.nanoTime() >= end) {
      loops.countDown();
      return;
    }
    http.get().uri(path)
        .responseSingle((response, body) -> body.asByteArray().map(bytes -> response.status()))
        .subscribe(status -> {
          if (status.code() == 200) {
            requests.incrementAndGet();
          } else {
            errors.incrementAndGet();
          }
          loop(http, path, end, requests, errors, loops);
        }, e -> {
          errors.incrementAndGet();
          loop(http, path, end, requests, errors, loops);
        });
  }

  private static void awaitQuit() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("quit")) {
        return;
      }
    }
  }
}
