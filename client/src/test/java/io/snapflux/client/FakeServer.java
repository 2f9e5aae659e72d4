package io.snapflux.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A scripted watch-protocol server on a loopback port: each stream connection is handed to the
 * test ({@link #nextConnection()}), which writes its events; {@code /api/flags/x} answers
 * whatever {@link #onPut} and {@link #onGet} decide.
 */
final class FakeServer implements AutoCloseable {

  /** One open stream: the test sends raw SSE text through it. */
  static final class Connection {
    final @Nullable String lastEventId;
    private final Sinks.Many<String> out = Sinks.many().unicast().onBackpressureBuffer();

    Connection(@Nullable String lastEventId) {
      this.lastEventId = lastEventId;
    }

    /** Sends one event. */
    Connection send(String event, String id, String data) {
      return raw("event: " + event + "\nid: " + id + "\ndata: " + data + "\n\n");
    }

    Connection raw(String text) {
      out.tryEmitNext(text).orThrow();
      return this;
    }

    /** Ends the response normally (as a server shutting down does). */
    void end() {
      out.tryEmitComplete().orThrow();
    }
  }

  /** An HTTP answer. */
  record Answer(int status, @Nullable String eTag, String body) {}

  private final BlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
  private final List<Connection> opened = new CopyOnWriteArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  volatile int streamStatus = 200;
  volatile BiFunction<HttpServerRequest, String, Answer> onPut =
      (request, body) -> new Answer(200, "\"e.1\"", body);
  volatile BiFunction<HttpServerRequest, String, Answer> onGet =
      (request, body) -> new Answer(200, "\"e.1\"", "{}");
  private final DisposableServer server;

  FakeServer() {
    server = HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .route(routes -> routes
            .get("/api/stream", (request, response) -> {
              requests.add("GET /api/stream " + request.requestHeaders().get("Last-Event-ID"));
              if (streamStatus != 200) {
                return response.status(streamStatus).sendString(Mono.just("no")).then();
              }
              Connection c = new Connection(request.requestHeaders().get("Last-Event-ID"));
              connections.add(c);
              opened.add(c);
              return response.header("Content-Type", "text/event-stream")
                  .sendString(c.out.asFlux(), StandardCharsets.UTF_8)
                  .then();
            })
            .get("/api/flags/x", (request, response) -> answer(request, response, "", onGet))
            .put("/api/flags/x", (request, response) -> request.receive().aggregate()
                .asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("")
                .flatMap(body -> answer(request, response, body, onPut).then())))
        .bindNow(Duration.ofSeconds(10));
  }

  private Mono<Void> answer(HttpServerRequest request, HttpServerResponse response, String body,
      BiFunction<HttpServerRequest, String, Answer> how) {
    requests.add(request.method() + " " + request.uri() + " " + request.requestHeaders()
        .get("If-Match"));
    Answer a = how.apply(request, body);
    response.status(a.status()).header("Content-Type", "application/json");
    if (a.eTag() != null) {
      response.header("ETag", a.eTag());
    }
    return response.sendString(Mono.just(a.body())).then();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** The next stream connection the client opens (waits up to 10 s). */
  Connection nextConnection() throws InterruptedException {
    Connection c = connections.poll(10, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("the client opened no stream connection within 10 s");
    }
    return c;
  }

  @Override
  public void close() {
    for (Connection c : opened) {
      c.out.tryEmitComplete();
    }
    server.disposeNow(Duration.ofSeconds(5));
  }
}
