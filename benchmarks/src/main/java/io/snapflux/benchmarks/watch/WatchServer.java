package io.snapflux.benchmarks.watch;

import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.spring.web.VersionedJson;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The application {@link WatchBenchmark} measures: one in-memory store served as the sample app
 * serves its state (the starter's {@link StoreSse} for {@code GET /api/stream}, {@link
 * ConditionalRequests#poll} with the shared {@link VersionedJson} document for {@code GET
 * /api/state}), as WebFlux functional endpoints on Reactor Netty, bound to a free loopback port.
 * No Spring Boot: nothing but the handlers under test and WebFlux's default codecs.
 *
 * <p>{@code GET /api/broadcast} is the baseline of the fan-out: a bare SSE broadcast (a Reactor
 * {@code Sinks.many().multicast()} of pre-made frames the size of the store's {@code change}
 * events, wrapped and flushed per stream, no store, no session, no codec). Its CPU per version is
 * the cost of writing the bytes to every socket, the part that must grow with the streams.
 *
 * <p>{@code GET /api/constant} answers a fixed body of the same length as the current document
 * (fixed when the server starts), the baseline of the {@code GET /api/state} throughput ratio.
 * {@code GET /api/constant-bytes} answers it as pre-encoded bytes (no String to UTF-8 step).
 */
final class WatchServer implements AutoCloseable {

  /** The state: a counter and a few dozen settings, about 1.5 KB of JSON. */
  record Doc(long counter, Map<String, String> settings) {

    static Doc initial() {
      Map<String, String> settings = new TreeMap<>();
      for (int i = 0; i < 40; i++) {
        settings.put("setting-" + i, "value of setting number " + i);
      }
      return new Doc(0, Map.copyOf(settings));
    }

    Doc next() {
      return new Doc(counter + 1, settings);
    }
  }

  private final Store<Doc> store = Store.of(Doc.initial());
  private final SseOptions options = SseOptions.defaults().withHeartbeat(Duration.ZERO);
  private final VersionedJson json = VersionedJson.of(store, options.encoder());
  private final String constant;
  private final byte[] constantBytes;
  /** {@code GET /api/state} requests subscribed to and not yet answered (long polls). */
  private final AtomicInteger pending = new AtomicInteger();
  /** The count {@link #awaitPendingPolls} waits for. */
  private volatile int awaited = Integer.MAX_VALUE;
  private final DisposableServer server;
  private final Sinks.Many<byte[]> broadcast = Sinks.many().multicast().directBestEffort();
  private volatile byte[] lastFrame;
  private long broadcasts;

  WatchServer() {
    String document = json.document(store, store.snapshot());
    // Same length as the document (ASCII), different text: nothing the store could have cached.
    this.constant = "{\"constant\":\"" + "x".repeat(Math.max(0, document.length() - 15)) + "\"}";
    this.constantBytes = constant.getBytes(StandardCharsets.UTF_8);
    this.lastFrame = frame(0);
    RouterFunction<ServerResponse> routes = RouterFunctions.route()
        .GET("/api/state", this::state)
        .GET("/api/stream", this::stream)
        .GET("/api/broadcast", request -> ServerResponse.ok()
            .contentType(MediaType.TEXT_EVENT_STREAM)
            .body((response, context) -> response.writeAndFlushWith(
                Flux.concat(Mono.fromSupplier(() -> lastFrame), broadcast.asFlux())
                    .map(bytes -> Flux.just(response.bufferFactory().wrap(bytes))))))
        .GET("/api/constant", request -> ServerResponse.ok()
            .contentType(MediaType.APPLICATION_JSON).bodyValue(constant))
        .GET("/api/constant-bytes", request -> {
          DataBuffer buffer = DefaultDataBufferFactory.sharedInstance.wrap(constantBytes);
          return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(buffer);
        })
        .build();
    ReactorHttpHandlerAdapter adapter =
        new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes));
    this.server = HttpServer.create()
        .host(InetAddress.getLoopbackAddress().getHostAddress())
        .port(0)
        .handle(adapter)
        .bindNow(Duration.ofSeconds(20));
  }

  private Mono<ServerResponse> state(ServerRequest request) {
    Mono<ResponseEntity<java.nio.ByteBuffer>> answer = ConditionalRequests.poll(
        request.headers().asHttpHeaders(), store, Duration.ofSeconds(60),
        (Snapshot<Doc> s) -> json.documentBytes(store, s));
    return answer
        .doOnSubscribe(s -> changePending(1))
        .doFinally(signal -> changePending(-1))
        .flatMap(entity -> {
          ServerResponse.BodyBuilder response = ServerResponse.status(entity.getStatusCode())
              .headers(h -> h.addAll(entity.getHeaders()));
          java.nio.ByteBuffer body = entity.getBody();
          return body == null ? response.build()
              : response.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        });
  }

  private Mono<ServerResponse> stream(ServerRequest request) {
    String lastEventId = request.headers().firstHeader("Last-Event-ID");
    if (request.queryParam("codec").isPresent()) {
      // The same events through Spring's SSE codec, formatted and encoded per stream.
      Flux<ServerSentEvent<Object>> events = StoreSse.stream(store, lastEventId, options);
      return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
          .body(events, new org.springframework.core.ParameterizedTypeReference<>() {});
    }
    return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
        .body((response, context) -> StoreSse.writeTo(response, store, lastEventId, options));
  }

  /** A broadcast frame of the size of the store's change event at version {@code n}. */
  private byte[] frame(long n) {
    return ("id:" + store.snapshot().epoch() + "." + n + "\nevent:change\ndata:" + constant
        + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Sends the next frame to every {@code /api/broadcast} stream, on the caller's thread. */
  void broadcast() {
    byte[] next = frame(++broadcasts);
    lastFrame = next;
    Sinks.EmitResult result = broadcast.tryEmitNext(next);
    if (result.isFailure() && result != Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
      throw new IllegalStateException("broadcast failed: " + result);
    }
  }

  int port() {
    return server.port();
  }

  Store<Doc> store() {
    return store;
  }

  /** The current document's {@code ETag}. */
  String eTag() {
    return ConditionalRequests.eTag(store, store.snapshot());
  }

  int documentLength() {
    return json.document(store, store.snapshot()).length();
  }

  int constantLength() {
    return constantBytes.length;
  }

  long encodings() {
    return json.encodings();
  }

  int pendingPolls() {
    return pending.get();
  }

  private void changePending(int delta) {
    if (pending.addAndGet(delta) >= awaited) {
      synchronized (pending) {
        pending.notifyAll();
      }
    }
  }

  /** Waits (on the caller's thread, never a server thread) until {@code n} polls are held. */
  void awaitPendingPolls(int n, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    synchronized (pending) {
      awaited = n;
      while (pending.get() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("only " + pending.get() + " of " + n
              + " long polls held after " + seconds + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(pending, left);
      }
      awaited = Integer.MAX_VALUE;
    }
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(10));
    store.close();
  }
}
