package io.snapflux.client;

import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A live, read-only mirror of a remote Snapflux store, kept over the watch protocol's event stream
 * ({@code docs/protocol.md}): the Store-like view of a store in another process.
 *
 * <pre>{@code
 * RemoteStore<JsonNode> flags = RemoteStore.builder(URI.create("http://localhost:8080"))
 *     .basicAuth("admin", "snapflux")
 *     .connect();
 * RemoteSnapshot<JsonNode> first = flags.ready().block(Duration.ofSeconds(10));
 * flags.select(s -> s.path("flags").path("dark-mode")).subscribe(flag -> render(flag));
 * }</pre>
 *
 * <h2>What it keeps true</h2>
 *
 * <ul>
 *   <li>Versions reach {@link #changes()} in order: within an epoch each is newer than the one
 *       before; a new epoch (a restarted in-memory store, a re-seeded Redis) replaces the state
 *       whatever its number (a <em>resync</em>, §7). The one exception is the protocol's: a
 *       {@code resync} event replaces the state even with an older version of the same epoch
 *       (a server instance behind the one the client followed); a resync to the token held
 *       changes nothing.
 *   <li>A JSON Patch is applied only to the state it was computed from: its {@code epoch} must be
 *       the mirror's and its {@code from} the mirror's version (or a bookmark's version after it);
 *       otherwise the client drops the connection and reconnects <em>without</em> {@code
 *       Last-Event-ID}, so the server starts it over with a full {@code snapshot}.
 *   <li>A dropped or ended stream is reopened with {@code Last-Event-ID} (the last event's or
 *       bookmark's id) after an exponential backoff with jitter ({@link Builder#backoff}); the
 *       backoff starts over once an event arrives. A {@code 4xx} answer other than 408 and 429,
 *       a state that cannot be decoded, or an event larger than {@link
 *       Builder#maxEventBytes}, ends {@link #changes()} with a {@link
 *       RemoteStoreException}: retrying would not help.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * <p>Nothing blocks: the stream is read on Reactor Netty's event loop, which also decodes the
 * state and calls the subscribers of {@link #changes()}. A subscriber that blocks must move to
 * another scheduler ({@code publishOn(Schedulers.boundedElastic())}). {@link #snapshot()} is a
 * volatile read.
 *
 * @param <T> the type the state is decoded to
 */
public final class RemoteStore<T> implements AutoCloseable {

  private static final int PAST_EPOCHS = 16;

  private final HttpClient http;
  private final URI stream;
  private final ObjectMapper mapper;
  private final Function<JsonNode, ? extends T> decoder;
  private final int maxEventBytes;
  private final int conflictAttempts;
  private final Duration conflictBackoff;
  private final URI base;
  private final URI state;

  private final Sinks.Many<RemoteSnapshot<T>> sink = Sinks.many().replay().latest();
  private volatile @Nullable RemoteSnapshot<T> current;
  /** Epochs this mirror held before its current one (bounded): their tokens will never come. */
  private final Set<String> pastEpochs = new LinkedHashSet<>();
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();
  private final AtomicLong rejectedPatches = new AtomicLong();
  private final AtomicLong appliedPatches = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private volatile long lagMillis;
  /** The newest token known to exist on the server: from events, bookmarks and writes. */
  private final AtomicReference<@Nullable VersionToken> newestKnown = new AtomicReference<>();
  private final Disposable connection;

  // Touched only by the stream's pipeline, one event at a time.
  /** The id to resume from: the last processed event's, or null to start over. */
  private @Nullable String resumeId;
  /** The version of a bookmark newer than the current state (same state, later id), or -1. */
  private volatile long bookmarkVersion = -1;

  private RemoteStore(Builder builder, Function<JsonNode, ? extends T> decoder) {
    this.base = builder.base;
    this.stream = builder.base.resolve(builder.streamPath);
    this.state = builder.base.resolve(builder.statePath);
    this.mapper = builder.mapper;
    this.decoder = decoder;
    this.maxEventBytes = builder.maxEventBytes;
    this.conflictAttempts = builder.conflictAttempts;
    this.conflictBackoff = builder.conflictBackoff;
    Consumer<HttpHeaders> headers = builder.headers;
    this.http = builder.http.headers(headers);
    Duration min = builder.minBackoff;
    Duration max = builder.maxBackoff;
    this.connection = !builder.followStream ? Disposables.disposed() : Flux.defer(this::connectOnce)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, min)
            .maxBackoff(max)
            .jitter(0.5)
            .transientErrors(true)
            .filter(e -> !(e instanceof RemoteStoreException))
            .doBeforeRetry(signal -> reconnects.incrementAndGet()))
        .subscribe(event -> { }, this::fail);
  }

  /**
   * Starts configuring a client of the store served at {@code base}.
   *
   * @param base the application's root, e.g. {@code http://localhost:8080}
   * @return a builder with the sample application's paths and the defaults below
   */
  public static Builder builder(URI base) {
    return new Builder(base);
  }

  /**
   * The newest state received.
   *
   * @return the current snapshot
   * @throws IllegalStateException if no state has been received yet (see {@link #ready()})
   */
  public RemoteSnapshot<T> snapshot() {
    RemoteSnapshot<T> s = current;
    if (s == null) {
      throw new IllegalStateException("No state received from " + stream + " yet; wait for ready()");
    }
    return s;
  }

  /**
   * The first state, once it has arrived.
   *
   * @return a {@code Mono} of the current snapshot as soon as there is one
   */
  public Mono<RemoteSnapshot<T>> ready() {
    return changes().next();
  }

  /**
   * The current state, then every newer one, conflated: a subscriber that is slower than the
   * stream skips to the newest state instead of buffering. Versions never repeat or go back
   * within an epoch. Completes on {@link #close()}; fails with a {@link RemoteStoreException} if
   * the stream cannot be continued.
   *
   * @return a hot {@code Flux} of snapshots
   */
  public Flux<RemoteSnapshot<T>> changes() {
    return sink.asFlux().onBackpressureLatest();
  }

  /**
   * A part of the state, each time it changes ({@code equals}).
   *
   * @param selector a pure, non-blocking function of the state
   * @param <U> the type of the part
   * @return the current part, then each different one
   */
  public <U> Flux<U> select(Function<? super T, ? extends U> selector) {
    Objects.requireNonNull(selector, "selector");
    return changes().<U>map(s -> selector.apply(s.state())).distinctUntilChanged();
  }

  /**
   * Waits until this mirror holds {@code token}'s version or a later one of the same epoch, e.g.
   * the token of a write ({@link Written#token()}) to read one's own writes.
   *
   * @param token the version to wait for
   * @return the first snapshot at or after it; fails with {@link EpochChangedException} if the
   *     mirror has left (or leaves) the token's epoch; never completes on its own otherwise, so
   *     bound it with {@code timeout}
   */
  public Mono<RemoteSnapshot<T>> awaitVersion(VersionToken token) {
    Objects.requireNonNull(token, "token");
    return changes().<RemoteSnapshot<T>>handle((s, out) -> {
      if (s.epoch().equals(token.epoch())) {
        if (s.version() >= token.version()) {
          out.next(s);
        }
      } else if (isPastEpoch(token.epoch())) {
        out.error(new EpochChangedException(token, s.token()));
      }
    }).next();
  }

  /**
   * Waits over plain HTTP for a version newer than {@code after} (long polling, protocol §3.2):
   * one {@code GET} of the state path with {@code If-None-Match: <after>} and {@code Prefer:
   * wait=<seconds>}. For clients that cannot hold an event stream open (or to read one's own
   * write from another instance); it does not use or change this mirror's stream or {@link
   * #snapshot()}.
   *
   * <ul>
   *   <li>A newer version within the wait, or {@code after} not current on the server (older,
   *       of another epoch: a resync, §7), or {@code after} {@code null}: the server's current
   *       snapshot, at once.
   *   <li>Nothing newer within the wait: an empty {@code Mono} (the server answered {@code
   *       304}). The server may grant a shorter wait than asked ({@code Preference-Applied}; the
   *       sample's maximum is 30 s), so poll again, e.g. {@code poll(t, wait).repeatWhenEmpty(
   *       n -> n.take(10))}.
   *   <li>Any other answer: a {@link RemoteStoreException} naming the status.
   * </ul>
   *
   * @param after the token the caller has (a snapshot's or a write's), or {@code null} for the
   *     current state without waiting
   * @param wait how long the server may hold the request, in whole seconds (rounded up), between
   *     0 (no waiting: an ordinary conditional {@code GET}) and one hour
   * @return the newer snapshot, or empty when none came within the wait
   * @throws IllegalArgumentException if {@code wait} is negative or longer than an hour
   */
  public Mono<RemoteSnapshot<T>> poll(@Nullable VersionToken after, Duration wait) {
    Objects.requireNonNull(wait, "wait");
    if (wait.isNegative() || wait.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("wait must be between 0 and 1 hour, was " + wait);
    }
    long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
    return http
        .headers(h -> {
          h.set(HttpHeaderNames.ACCEPT, "application/json");
          if (after != null) {
            h.set(HttpHeaderNames.IF_NONE_MATCH, after.eTag());
            if (seconds > 0) {
              h.set("Prefer", "wait=" + seconds);
            }
          }
        })
        // The server answers within the wait it grants; a dead one must not hang the caller.
        .responseTimeout(Duration.ofSeconds(seconds + 30))
        .get()
        .uri(state)
        .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8)
            .defaultIfEmpty("")
            .flatMap(text -> {
              int status = response.status().code();
              if (status == 304) {
                return Mono.<RemoteSnapshot<T>>empty();
              }
              if (status != 200) {
                return Mono.error(new RemoteStoreException(
                    "GET " + state + " answered " + status + ": " + text, status, null));
              }
              JsonNode doc = mapper.readTree(text);
              RemoteSnapshot<T> snapshot = toSnapshot(doc.path("epoch").asString(),
                  doc.path("version").asLong(), doc.path("state"), doc);
              learn(snapshot.token(), false);
              return Mono.just(snapshot);
            }));
  }

  /**
   * Counters of this client, e.g. for {@link ClientMeters}.
   *
   * @return what happened so far
   */
  public Stats stats() {
    RemoteSnapshot<T> s = current;
    return new Stats(connects.get(), reconnects.get(), resyncs.get(), appliedPatches.get(),
        rejectedPatches.get(), events.get(), s == null ? null : s.token(), Duration.ofMillis(lagMillis),
        versionsBehind(s));
  }

  /**
   * Reads, modifies and conditionally writes one resource, retrying on conflict: {@code GET path}
   * (its body and {@code ETag}), {@code fn}, then {@code PUT path} with {@code If-Match: <ETag>}.
   * A {@code 412} (the resource changed in between) starts over with a new read, after a backoff,
   * up to the builder's {@link Builder#conflictRetries attempts}, like client-go's {@code
   * RetryOnConflict}.
   *
   * @param path the resource, e.g. {@code /api/flags/dark-mode}
   * @param fn the new body from the current one; pure and non-blocking (it may run several times)
   * @return the write's result; fails with {@link ConflictRetriesExhaustedException} when every
   *     attempt conflicted, or a {@link RemoteStoreException} naming the status of any other
   *     refusal (nothing was written by this update then)
   */
  public Mono<Written<JsonNode>> update(String path, UnaryOperator<JsonNode> fn) {
    return update(path, JsonNode.class, fn);
  }

  /**
   * {@link #update(String, UnaryOperator)} with the body decoded to {@code type} by the builder's
   * mapper.
   *
   * @param path the resource
   * @param type the body's type
   * @param fn the new body from the current one; pure and non-blocking
   * @param <V> the type of the body
   * @return the write's result
   */
  public <V> Mono<Written<V>> update(String path, Class<V> type, UnaryOperator<V> fn) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(fn, "fn");
    URI uri = base.resolve(path);
    return Mono.defer(() -> {
      AtomicInteger attempts = new AtomicInteger();
      return Mono.defer(() -> {
        attempts.incrementAndGet();
        return read(uri, path).flatMap(read -> {
          V next = Objects.requireNonNull(fn.apply(mapper.treeToValue(read.body(), type)),
              "the update function returned null");
          return write(uri, path, read.eTag(), mapper.writeValueAsString(next), type,
              attempts.get());
        });
      }).retryWhen(Retry.backoff(conflictAttempts - 1, conflictBackoff)
          .maxBackoff(conflictBackoff.multipliedBy(32))
          .filter(PreconditionFailedException.class::isInstance)
          .onRetryExhaustedThrow((spec, signal) -> new ConflictRetriesExhaustedException(
              path, attempts.get(), (PreconditionFailedException) signal.failure())));
    });
  }

  /**
   * Stops following the store: closes the stream's connection and completes {@link #changes()}.
   * The last snapshot stays readable.
   */
  @Override
  public void close() {
    connection.dispose();
    sink.emitComplete((signal, result) -> result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
  }

  // ---- the stream ----

  private Flux<SseEvent> connectOnce() {
    String lastId = resumeId;
    connects.incrementAndGet();
    return http
        .headers(h -> {
          h.set(HttpHeaderNames.ACCEPT, "text/event-stream");
          if (lastId != null) {
            h.set("Last-Event-ID", lastId);
          }
        })
        .get()
        .uri(stream)
        .response((response, body) -> {
          int status = response.status().code();
          if (status != 200) {
            return body.then(Mono.error(streamRefused(response)));
          }
          SseParser parser = new SseParser(maxEventBytes);
          return body.asByteArray().concatMapIterable(parser::feed);
        })
        .doOnNext(this::onEvent)
        // A stream that ends (the server shut down) is reopened like a dropped one.
        .concatWith(Mono.error(() -> new StreamEndedException(stream)));
  }

  private RuntimeException streamRefused(HttpClientResponse response) {
    int status = response.status().code();
    String message = "GET " + stream + " answered " + status;
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      return new RemoteStoreException(message + "; not retried", status, null);
    }
    return new StreamEndedException(message);
  }

  private void fail(Throwable error) {
    sink.emitError(error, (signal, result) -> result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
  }

  private void onEvent(SseEvent event) {
    events.incrementAndGet();
    switch (event.event()) {
      case "snapshot", "change", "resync" -> onDocument(event);
      case "patch" -> onPatch(event);
      case "bookmark" -> onBookmark(event);
      default -> { } // unknown events are ignored
    }
  }

  private void onDocument(SseEvent event) {
    JsonNode doc = mapper.readTree(event.data());
    String epoch = doc.path("epoch").asString();
    long version = doc.path("version").asLong();
    RemoteSnapshot<T> held = current;
    boolean resync = event.event().equals("resync");
    boolean sameEpoch = held != null && held.epoch().equals(epoch);
    if (held != null && sameEpoch && !resync && version <= held.version()) {
      return; // not newer: ignored (R12)
    }
    if (held != null && (resync || !sameEpoch)) {
      resyncs.incrementAndGet();
    }
    if (held != null && sameEpoch && version == held.version()) {
      // A resync to the token held: one token names one state (R1), so nothing changes.
      resumeId = event.id() != null ? event.id() : held.token().toString();
      bookmarkVersion = -1;
      return;
    }
    publish(held, epoch, version, doc.path("state"), doc, event);
  }

  private void onPatch(SseEvent event) {
    JsonNode doc = mapper.readTree(event.data());
    String epoch = doc.path("epoch").asString();
    long version = doc.path("version").asLong();
    long from = doc.path("from").asLong(-1);
    RemoteSnapshot<T> held = current;
    if (held != null && held.epoch().equals(epoch) && version <= held.version()) {
      return; // not newer: ignored (R12)
    }
    boolean base = held != null && held.epoch().equals(epoch)
        && (from == held.version() || (bookmarkVersion >= 0 && from == bookmarkVersion));
    if (!base) {
      throw wrongBase(held, "a patch " + epoch + "." + from + " -> " + version);
    }
    JsonNode next;
    try {
      next = Jackson3JsonPatch.apply(doc.path("patch"), held.json());
    } catch (RuntimeException e) {
      throw wrongBase(held, "a patch that does not apply (" + e.getMessage() + ")");
    }
    publish(held, epoch, version, next, doc, event);
    appliedPatches.incrementAndGet();
  }

  private void onBookmark(SseEvent event) {
    VersionToken token = VersionToken.parse(event.id());
    RemoteSnapshot<T> held = current;
    if (token == null || held == null || !held.epoch().equals(token.epoch())) {
      throw wrongBase(held, "a bookmark " + event.id());
    }
    if (token.version() > held.version()) {
      bookmarkVersion = token.version();
      learn(token, false);
      resumeId = event.id();
    }
  }

  private PatchBaseException wrongBase(@Nullable RemoteSnapshot<T> held, String what) {
    rejectedPatches.incrementAndGet();
    resumeId = null;
    bookmarkVersion = -1;
    return new PatchBaseException("Received " + what + " while holding "
        + (held == null ? "nothing" : held.token()) + "; reconnecting without Last-Event-ID");
  }

  /** A document's snapshot, its state decoded. */
  private RemoteSnapshot<T> toSnapshot(String epoch, long version, JsonNode state, JsonNode doc) {
    T decoded;
    try {
      decoded = Objects.requireNonNull(decoder.apply(state), "the decoder returned null");
    } catch (RuntimeException e) {
      throw new RemoteStoreException(
          "Could not decode the state of " + epoch + "." + version + ": " + e.getMessage(), 0, e);
    }
    JsonNode cause = doc.get("cause");
    Instant timestamp = null;
    JsonNode at = doc.get("timestamp");
    if (at != null && at.isString()) {
      try {
        timestamp = Instant.parse(at.asString());
      } catch (RuntimeException e) {
        timestamp = null;
      }
    }
    return new RemoteSnapshot<>(epoch, version, decoded, state,
        cause == null || cause.isNull() ? null : cause, timestamp);
  }

  private void publish(@Nullable RemoteSnapshot<T> held, String epoch, long version,
      JsonNode state, JsonNode doc, SseEvent event) {
    RemoteSnapshot<T> next = toSnapshot(epoch, version, state, doc);
    Instant timestamp = next.timestamp();
    if (held != null && !held.epoch().equals(epoch)) {
      synchronized (pastEpochs) {
        pastEpochs.add(held.epoch());
        pastEpochs.remove(epoch);
        if (pastEpochs.size() > PAST_EPOCHS) {
          pastEpochs.remove(pastEpochs.iterator().next());
        }
      }
    }
    if (timestamp != null) {
      lagMillis = Math.max(0, System.currentTimeMillis() - timestamp.toEpochMilli());
    }
    resumeId = event.id() != null ? event.id() : next.token().toString();
    bookmarkVersion = -1;
    current = next;
    learn(next.token(), true);
    sink.emitNext(next, (signal, result) -> result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
  }

  /**
   * Records that {@code token} exists on the server. Tokens of another epoch than the newest
   * known one cannot be compared with it: only the stream ({@code held}) moves to a new epoch.
   */
  private void learn(VersionToken token, boolean held) {
    newestKnown.updateAndGet(known -> known == null
        || (held && !known.epoch().equals(token.epoch()))
        || token.isNewerThan(known) ? token : known);
  }

  private long versionsBehind(@Nullable RemoteSnapshot<T> held) {
    VersionToken known = newestKnown.get();
    return held == null || known == null || !known.epoch().equals(held.epoch())
        ? 0 : Math.max(0, known.version() - Math.max(held.version(), bookmarkVersion));
  }

  private boolean isPastEpoch(String epoch) {
    synchronized (pastEpochs) {
      return pastEpochs.contains(epoch);
    }
  }

  // ---- conditional writes ----

  private record Read(JsonNode body, String eTag) {}

  private Mono<Read> read(URI uri, String path) {
    return http.headers(h -> h.set(HttpHeaderNames.ACCEPT, "application/json"))
        .get()
        .uri(uri)
        .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8)
            .defaultIfEmpty("")
            .flatMap(text -> {
              int status = response.status().code();
              String eTag = response.responseHeaders().get(HttpHeaderNames.ETAG);
              if (status != 200) {
                return Mono.error(new RemoteStoreException(
                    "GET " + path + " answered " + status + ": " + text, status, null));
              }
              if (eTag == null) {
                return Mono.error(new RemoteStoreException(
                    "GET " + path + " answered without an ETag; cannot write conditionally",
                    status, null));
              }
              return Mono.just(new Read(mapper.readTree(text), eTag));
            }));
  }

  private <V> Mono<Written<V>> write(URI uri, String path, String ifMatch, String json,
      Class<V> type, int attempt) {
    return http.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .set(HttpHeaderNames.ACCEPT, "application/json")
            .set(HttpHeaderNames.IF_MATCH, ifMatch))
        .put()
        .uri(uri)
        .send(ByteBufFlux.fromString(Mono.just(json)))
        .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8)
            .defaultIfEmpty("")
            .flatMap(text -> {
              int status = response.status().code();
              String eTag = response.responseHeaders().get(HttpHeaderNames.ETAG);
              if (status == 412) {
                return Mono.error(new PreconditionFailedException(path, ifMatch, eTag));
              }
              if (status < 200 || status >= 300) {
                return Mono.error(new RemoteStoreException(
                    "PUT " + path + " answered " + status + ": " + text, status, null));
              }
              V written = text.isBlank() ? null : mapper.readValue(text, type);
              VersionToken token = VersionToken.fromETag(eTag);
              if (token != null) {
                learn(token, false);
              }
              return Mono.just(new Written<>(eTag, written, attempt));
            }));
  }

  /**
   * What a client has done so far.
   *
   * @param connects connections opened to the stream (the first one included)
   * @param reconnects attempts to reopen the stream after a drop, an end, a refused connection
   *     or a rejected patch (each attempt counts, also those that failed)
   * @param resyncs times the whole state was replaced: a {@code resync} event, or a new epoch
   * @param appliedPatches JSON Patch events applied
   * @param rejectedPatches patches or bookmarks refused because they did not continue the state
   *     held (each followed by a reconnect without {@code Last-Event-ID})
   * @param events events received
   * @param token the token of the state held, or {@code null} before the first
   * @param lag how long after its commit (by the server's timestamp) the newest state was
   *     applied
   * @param versionsBehind how many versions the state held is behind the newest one this client
   *     knows the server has (from a bookmark or a write's {@code ETag} the stream has not
   *     delivered yet); 0 when none is known
   */
  public record Stats(long connects, long reconnects, long resyncs, long appliedPatches,
      long rejectedPatches,
      long events, @Nullable VersionToken token, Duration lag, long versionsBehind) {}

  /** A stream that ended or answered a retryable status: reopened after a backoff. */
  static final class StreamEndedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StreamEndedException(Object what) {
      super("The event stream ended: " + what, null, false, false);
    }
  }

  /** A patch or bookmark that does not continue the state held: reopened from scratch. */
  static final class PatchBaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PatchBaseException(String message) {
      super(message, null, false, false);
    }
  }

  /** Configures a {@link RemoteStore}; {@link #connect()} starts it. */
  public static final class Builder {

    private final URI base;
    private String streamPath = "/api/stream";
    private String statePath = "/api/state";
    private boolean followStream = true;
    private HttpClient http = HttpClient.create();
    private ObjectMapper mapper = JsonMapper.builder().build();
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private int conflictAttempts = 5;
    private Duration conflictBackoff = Duration.ofMillis(10);
    private int maxEventBytes = 16 * 1024 * 1024;
    private Consumer<HttpHeaders> headers = h -> { };

    private Builder(URI base) {
      this.base = Objects.requireNonNull(base, "base");
      if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
        throw new IllegalArgumentException("base must be an http or https URI, was " + base);
      }
    }

    /**
     * The event stream's path (default {@code /api/stream}).
     *
     * @param path a path relative to the base
     * @return this builder
     */
    public Builder streamPath(String path) {
      this.streamPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Whether the client opens the event stream (default {@code true}). Without it, for a
     * process that cannot hold a connection open, only {@link RemoteStore#poll} and {@link
     * RemoteStore#update} work: {@link RemoteStore#snapshot()} throws, {@link
     * RemoteStore#changes()} emits nothing until {@link RemoteStore#close()}.
     *
     * @param follow {@code false} to open no stream
     * @return this builder
     */
    public Builder followStream(boolean follow) {
      this.followStream = follow;
      return this;
    }

    /**
     * The path of the state document, for {@link RemoteStore#poll} (default {@code /api/state}).
     *
     * @param path a path relative to the base
     * @return this builder
     */
    public Builder statePath(String path) {
      this.statePath = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * The Reactor Netty client to use (default {@code HttpClient.create()}), e.g. with TLS or
     * timeouts configured.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The mapper that decodes states and bodies (default: a plain {@code JsonMapper}; give one
     * with your modules, e.g. Vavr's, to decode into your types).
     *
     * @param mapper a Jackson 3 mapper
     * @return this builder
     */
    public Builder mapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /**
     * The reconnect backoff: exponential from {@code min} up to {@code max}, with jitter
     * (defaults 100 ms and 5 s).
     *
     * @param min the first delay
     * @param max the longest delay
     * @return this builder
     */
    public Builder backoff(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "backoff needs 0 < min <= max, was min " + min + ", max " + max);
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /**
     * The budget of {@link RemoteStore#update}: how many read-modify-write attempts in all, and
     * the first backoff between them (doubling, with jitter, up to 32 times the first).
     * Defaults: 5 attempts, 10 ms.
     *
     * @param attempts at least 1
     * @param backoff the first delay, positive
     * @return this builder
     */
    public Builder conflictRetries(int attempts, Duration backoff) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
      }
      if (backoff.isNegative() || backoff.isZero()) {
        throw new IllegalArgumentException("backoff must be positive, was " + backoff);
      }
      this.conflictAttempts = attempts;
      this.conflictBackoff = backoff;
      return this;
    }

    /**
     * The largest event accepted (default 16 MiB); a larger one ends {@link
     * RemoteStore#changes()} with a {@link RemoteStoreException} (it would come again on every
     * reconnect).
     *
     * @param bytes the limit
     * @return this builder
     */
    public Builder maxEventBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxEventBytes must be positive, was " + bytes);
      }
      this.maxEventBytes = bytes;
      return this;
    }

    /**
     * Adds a header to every request (the stream, reads and writes).
     *
     * @param name the header's name
     * @param value its value
     * @return this builder
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Consumer<HttpHeaders> before = headers;
      headers = h -> {
        before.accept(h);
        h.set(name, value);
      };
      return this;
    }

    /**
     * HTTP Basic credentials for every request.
     *
     * @param user the user name
     * @param password the password
     * @return this builder
     */
    public Builder basicAuth(String user, String password) {
      String pair = Objects.requireNonNull(user, "user") + ":"
          + Objects.requireNonNull(password, "password");
      return header("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Starts following the store, with the state as JSON.
     *
     * @return the client, connecting
     */
    public RemoteStore<JsonNode> connect() {
      return new RemoteStore<>(this, json -> json);
    }

    /**
     * Starts following the store, with the state decoded to {@code type} by the mapper.
     *
     * @param type the state's type
     * @param <T> the state's type
     * @return the client, connecting
     */
    public <T> RemoteStore<T> connect(Class<T> type) {
      Objects.requireNonNull(type, "type");
      ObjectMapper m = mapper;
      return new RemoteStore<>(this, json -> m.treeToValue(json, type));
    }

    /**
     * Starts following the store, with the state decoded by {@code decoder}.
     *
     * @param decoder a pure, non-blocking function of the state's JSON
     * @param <T> the state's type
     * @return the client, connecting
     */
    public <T> RemoteStore<T> connect(Function<JsonNode, ? extends T> decoder) {
      return new RemoteStore<>(this, Objects.requireNonNull(decoder, "decoder"));
    }
  }
}
