package io.snapflux.spring.web;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Server-Sent Events from a store, as the Snapflux watch protocol ({@code docs/protocol.md})
 * specifies them: one event per delivered version, {@code id} = its {@linkplain VersionToken
 * version token} ({@code <epoch>.<version>}), resumable with {@code Last-Event-ID}.
 *
 * <pre>{@code
 * @GetMapping(path = "/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
 * Flux<ServerSentEvent<Object>> stream(
 *     @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
 *   return StoreSse.stream(store, lastEventId, sseOptions);
 * }
 * }</pre>
 *
 * <p>Or, for many streams, {@link #writeTo(ReactiveHttpOutputMessage, Store, String, SseOptions)}
 * writes the same events as bytes that every stream of the store shares: no per-stream
 * formatting or UTF-8 encoding, only the socket write.
 *
 * <pre>{@code
 * @GetMapping(path = "/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
 * Mono<Void> stream(ServerHttpResponse response,
 *     @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
 *   return StoreSse.writeTo(response, store, lastEventId, sseOptions);
 * }
 * }</pre>
 *
 * <h2>Events</h2>
 *
 * <p>Every event's data is JSON text, encoded once per version and shared by every stream of the
 * store ({@link VersionedJson}); so is every event's frame ({@code id:}, {@code event:} and {@code
 * data:} lines) that {@link #writeTo} writes.
 *
 * <table>
 *   <caption>Event names</caption>
 *   <tr><th>event</th><th>when</th><th>data</th></tr>
 *   <tr><td>{@value #SNAPSHOT}</td><td>first event of a new connection (no {@code
 *       Last-Event-ID})</td><td>the document: {@code {"epoch":…, "version":…, "state":…,
 *       "cause":…, "timestamp":…}}</td></tr>
 *   <tr><td>{@value #CHANGE}</td><td>a later version, and each version replayed on resume</td>
 *       <td>the document</td></tr>
 *   <tr><td>{@value #RESYNC}</td><td>on resume, when the {@code Last-Event-ID} is of another
 *       epoch, is no token, is ahead of the store, or the missed versions are no longer in the
 *       store's history; and whenever the store's epoch changes while the stream is open: the
 *       client must replace its state, not apply a change</td><td>the document</td></tr>
 *   <tr><td>{@value #PATCH}</td><td>instead of {@code change}, with {@link
 *       SseOptions#withJsonPatch}</td><td>{@code {"epoch":…, "version":…, "from":…, "patch":[RFC
 *       6902 operations], "cause":…, "timestamp":…}}, to apply to the state at version {@code
 *       from} (the previous event's id, a bookmark's included)</td></tr>
 *   <tr><td>{@value #BOOKMARK}</td><td>the first message of a resume with nothing to replay, and
 *       whenever the stream skipped {@link SseOptions#bookmarkVersions()} versions or {@link
 *       SseOptions#bookmarkInterval()} passed with skipped versions</td><td>{@code {"epoch":…,
 *       "version":…}}: the client only remembers the id</td></tr>
 * </table>
 *
 * <p>Heartbeats are SSE comments ({@code :heartbeat}), every {@link SseOptions#heartbeat()}.
 *
 * <h2>Resume</h2>
 *
 * <p>With a {@code Last-Event-ID} of {@code e.v}: if the store is still at {@code v} of epoch
 * {@code e}, a {@code bookmark} is sent at once (so the client sees the connection open without
 * waiting for a heartbeat); if it is further, the versions after {@code v} are replayed from
 * {@link Store#history()} when all of them are still there ({@code
 * snapflux.stores.<name>.history-size}), otherwise one {@code resync} event carries the current
 * document.
 *
 * <h2>Slow clients</h2>
 *
 * <p>Delivery is conflated: a client that cannot keep up skips intermediate versions and gets the
 * newest one when it is ready (so event ids may jump; each event is still a complete state, and
 * each patch is computed against the previous event, not the previous version). The stream
 * holds no per-version buffer; what is in flight is bounded by the HTTP layer's prefetch, whatever
 * the rate of changes. When the store closes, the stream completes after the final snapshot.
 *
 * <h2>Shutdown</h2>
 *
 * <p>In a reactive web application the starter's {@link SseDrain} completes every stream as soon
 * as the application starts shutting down, before graceful shutdown waits for the requests in
 * flight (the stores themselves close later, once those requests are done).
 */
public final class StoreSse {

  /** The first event of a new connection: a complete state. */
  public static final String SNAPSHOT = "snapshot";
  /** A later version: a complete state. */
  public static final String CHANGE = "change";
  /** A complete state replacing whatever the resuming client had. */
  public static final String RESYNC = "resync";
  /** A JSON Patch delta from the previous event's version. */
  public static final String PATCH = "patch";
  /** A resume point: nothing this stream carries changed up to its id. */
  public static final String BOOKMARK = "bookmark";
  /** The comment sent as heartbeat. */
  public static final String HEARTBEAT = "heartbeat";

  private StoreSse() {}

  /**
   * The store's snapshots as events, with default {@linkplain SseOptions options}.
   *
   * @param store the store
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param <S> the type of the state
   * @return an endless stream of events, completing when the store closes
   */
  public static <S> Flux<ServerSentEvent<Object>> stream(
      Store<S> store, @Nullable String lastEventId) {
    return stream(store, lastEventId, SseOptions.defaults());
  }

  /**
   * The store's snapshots as events.
   *
   * @param store the store
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param options heartbeat, bookmarks, mapper and JSON Patch
   * @param <S> the type of the state
   * @return an endless stream of events, completing when the store closes
   */
  public static <S> Flux<ServerSentEvent<Object>> stream(
      Store<S> store, @Nullable String lastEventId, SseOptions options) {
    Objects.requireNonNull(options, "options");
    return events(store, lastEventId, options, VersionedJson.of(store, options.encoder()))
        .map(Event::toServerSentEvent);
  }

  /**
   * Writes the store's events to {@code response} as {@code text/event-stream}: the same events,
   * in the same bytes, as {@link #stream(Store, String, SseOptions)} sends through Spring's SSE
   * codec, but each frame is formatted and UTF-8-encoded once per version and shared by every
   * stream of the store (the streams differ only in which versions they send), and each is flushed
   * on its own. Usable from an annotated controller (a {@code ServerHttpResponse} parameter,
   * returning the {@code Mono}) and from a functional endpoint ({@code
   * ServerResponse.ok().body((message, context) -> StoreSse.writeTo(message, ...))}).
   *
   * @param response the response to write; its {@code Content-Type} is set to {@code
   *     text/event-stream} and {@code Cache-Control} to {@code no-cache} when not already set
   * @param store the store
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param options heartbeat, bookmarks, mapper and JSON Patch
   * @param <S> the type of the state
   * @return completes when the stream ends (the store closed, the application drains, the client
   *     went away)
   */
  public static <S> Mono<Void> writeTo(ReactiveHttpOutputMessage response, Store<S> store,
      @Nullable String lastEventId, SseOptions options) {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(options, "options");
    VersionedJson json = VersionedJson.of(store, options.encoder());
    HttpHeaders headers = response.getHeaders();
    if (headers.getContentType() == null) {
      headers.setContentType(MediaType.TEXT_EVENT_STREAM);
    }
    if (!headers.containsHeader(HttpHeaders.CACHE_CONTROL)) {
      headers.setCacheControl("no-cache");
    }
    Flux<Flux<DataBuffer>> frames = events(store, lastEventId, options, json)
        .map(event -> Flux.just(response.bufferFactory().wrap(json.frame(event))));
    return response.writeAndFlushWith(frames);
  }

  /** The whole store's events; their texts and frames come from {@code json}, shared per store. */
  private static <S> Flux<Event> events(
      Store<S> store, @Nullable String lastEventId, SseOptions options, VersionedJson json) {
    return events(store.changes(), () -> versions(store), VersionedJson.WHOLE, false,
        s -> VersionToken.of(s, store).epoch(), json, lastEventId, options);
  }

  /** The kept versions, oldest first: the history capability's, or just the current one. */
  private static <S> List<Snapshot<S>> versions(Store<S> store) {
    return store.history().map(h -> h.versions().asJava())
        .orElseGet(() -> List.of(store.snapshot()));
  }

  /**
   * A selection of the store's state as events: an event only when the selected value changes
   * ({@code equals}), its id the version that changed it, its data a document whose {@code state}
   * is the selected value; bookmarks move the resume point while the selection does not change.
   * Streams given the same {@code selector} object share their encodings.
   *
   * @param store the store
   * @param selector a pure function of the state
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param options heartbeat, bookmarks, mapper and JSON Patch
   * @param <S> the type of the state
   * @param <T> the type of the selected value
   * @return an endless stream of events, completing when the store closes
   */
  public static <S, T> Flux<ServerSentEvent<Object>> stream(
      Store<S> store,
      Function<? super S, ? extends T> selector,
      @Nullable String lastEventId,
      SseOptions options) {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(options, "options");
    return events(
        store.changes().map(s -> StoreSse.<S, T>select(s, selector)),
        () -> versions(store).stream().map(s -> StoreSse.<S, T>select(s, selector)).toList(),
        selector,
        true,
        s -> VersionToken.of(s, store).epoch(),
        VersionedJson.of(store, options.encoder()),
        lastEventId,
        options).map(Event::toServerSentEvent);
  }

  /**
   * Any stream of snapshots of one epoch as events, e.g. one already filtered or mapped. Without
   * a history to replay from, a resuming client that missed versions gets a {@code resync}. The
   * stream should be conflated (as {@link Store#changes()} is) for slow clients to cost nothing.
   * Its encodings are its own, not shared.
   *
   * @param snapshots snapshots with increasing versions
   * @param epoch the epoch of their versions (see {@link VersionToken})
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param options heartbeat, bookmarks, mapper and JSON Patch
   * @param <T> the type of the states
   * @return the events
   */
  public static <T> Flux<ServerSentEvent<Object>> stream(
      Flux<Snapshot<T>> snapshots, String epoch, @Nullable String lastEventId,
      SseOptions options) {
    Objects.requireNonNull(options, "options");
    String checked = new VersionToken(epoch, 0).epoch();
    return events(snapshots, List::of, VersionedJson.WHOLE, false, s -> checked,
        new VersionedJson(options.encoder()), lastEventId, options)
        .map(Event::toServerSentEvent);
  }

  private static <S, T> Snapshot<T> select(
      Snapshot<S> snapshot, Function<? super S, ? extends T> selector) {
    return Snapshot.<T>of(snapshot.version(), selector.apply(snapshot.state()), snapshot.cause(),
        snapshot.timestampMillis(), snapshot.epoch());
  }

  private static <T> Flux<Event> events(
      Flux<Snapshot<T>> snapshots,
      Supplier<? extends Iterable<Snapshot<T>>> history,
      Object selectorKey,
      boolean distinct,
      Function<Snapshot<?>, String> epochOf,
      VersionedJson json,
      @Nullable String lastEventId,
      SseOptions options) {
    return Flux.deferContextual(context -> {
      Mono<Void> drained = context.getOrDefault(SseDrain.CONTEXT_KEY, Mono.<Void>never());
      return undrained(snapshots, history, selectorKey, distinct, epochOf, json, lastEventId, options)
          .takeUntilOther(Objects.requireNonNull(drained));
    });
  }

  /** A tick of the bookmark timer, merged into the snapshots so one operator sees both. */
  private static final Object TICK = new Object();

  private static <T> Flux<Event> undrained(
      Flux<Snapshot<T>> snapshots,
      Supplier<? extends Iterable<Snapshot<T>>> history,
      Object selectorKey,
      boolean distinct,
      Function<Snapshot<?>, String> epochOf,
      VersionedJson json,
      @Nullable String lastEventId,
      SseOptions options) {
    return Flux.defer(() -> {
      Session<T> session = new Session<>(history, selectorKey, distinct, epochOf, json,
          lastEventId, options);
      // No prefetching operator between the conflated source and the client beyond one element:
      // the first snapshot may expand into a replay (a finite list), every later one (or bookmark
      // tick) maps to at most one event, and handle() passes demand through, so the source is
      // asked for a snapshot only when the client can take an event and what it then delivers is
      // the newest. Ticks go through the same operator as snapshots, so the ids of the events
      // leaving it strictly increase.
      Flux<Event> events = snapshots.switchOnFirst((first, all) -> {
        if (!first.hasValue()) {
          return all.handle((snapshot, sink) -> {});
        }
        Flux<Object> later = all.skip(1).cast(Object.class);
        if (distinct && !options.bookmarkInterval().isZero()) {
          Sinks.Empty<Void> ended = Sinks.empty();
          later = Flux.merge(1, later.doFinally(signal -> ended.tryEmitEmpty()),
              Flux.interval(options.bookmarkInterval()).onBackpressureDrop().map(tick -> TICK)
                  .takeUntilOther(ended.asMono()));
        }
        return Flux.fromIterable(session.onFirst(Objects.requireNonNull(first.get())))
            .concatWith(later.handle((item, sink) -> {
              @SuppressWarnings("unchecked")
              Event event = item == TICK
                  ? session.onTick() : session.onNext((Snapshot<T>) item);
              if (event != null) {
                sink.next(event);
              }
            }));
      });
      if (options.heartbeat().isZero()) {
        return events;
      }
      Sinks.Empty<Void> done = Sinks.empty();
      Flux<Event> heartbeats = Flux.interval(options.heartbeat())
          .onBackpressureDrop()
          .map(tick -> Event.HEARTBEAT_COMMENT)
          .takeUntilOther(done.asMono());
      // merge holds at most one event per source (prefetch 1) while the client is not reading.
      return Flux.merge(1, events.doFinally(signal -> done.tryEmitEmpty()), heartbeats);
    });
  }

  /**
   * One message of a stream before it is written: an event with its id and data, or (name {@code
   * null}) the heartbeat comment. The data of documents and patches is the shared text of {@link
   * VersionedJson}, so the frames made from it can be shared too ({@link VersionedJson#frame}).
   */
  record Event(@Nullable String name, String epoch, long version, String data) {

    static final Event HEARTBEAT_COMMENT = new Event(null, "", -1, HEARTBEAT);

    boolean isComment() {
      return name == null;
    }

    /** The event's id, the version token {@code <epoch>.<version>}. */
    String id() {
      return new VersionToken(epoch, version).toString();
    }

    ServerSentEvent<Object> toServerSentEvent() {
      if (isComment()) {
        return ServerSentEvent.builder().comment(data).build();
      }
      return ServerSentEvent.<Object>builder(data).id(id()).event(name).build();
    }
  }

  /**
   * The per-connection state: what the client has (the last data event's snapshot, the last id
   * sent) and the newest version seen. Used by one subscription, serially.
   */
  private static final class Session<T> {

    private final Supplier<? extends Iterable<Snapshot<T>>> history;
    private final Object selectorKey;
    private final boolean distinct;
    private final Function<Snapshot<?>, String> epochOf;
    /** The epoch of the snapshots this stream sends; set by the first, changed by a resync. */
    private String epoch = "";
    /** The last {@code Snapshot.epoch()} object given to {@code epochOf}, and its result. */
    private @Nullable String checkedRawEpoch;
    private String checkedEpoch = "";
    private final VersionedJson json;
    private final boolean patch;
    private final int bookmarkVersions;
    /** The client's token: absent ({@code null} text), or parsed ({@code null} if no token). */
    private final @Nullable String lastEventId;
    private final @Nullable VersionToken lastSeen;
    /** The snapshot of the last event with an id: the base of the next patch and distinct check. */
    private @Nullable Snapshot<T> previous;
    /** The version of the last event sent with an id. */
    private long lastId = -1;
    /** The newest snapshot seen, sent or skipped. */
    private @Nullable Snapshot<T> latest;

    Session(
        Supplier<? extends Iterable<Snapshot<T>>> history,
        Object selectorKey,
        boolean distinct,
        Function<Snapshot<?>, String> epochOf,
        VersionedJson json,
        @Nullable String lastEventId,
        SseOptions options) {
      this.history = history;
      this.selectorKey = selectorKey;
      this.distinct = distinct;
      this.epochOf = epochOf;
      this.json = json;
      this.patch = options.jsonPatch();
      this.bookmarkVersions = options.bookmarkVersions();
      this.lastEventId = lastEventId == null || lastEventId.isBlank() ? null : lastEventId.trim();
      this.lastSeen = VersionToken.parse(this.lastEventId);
    }

    /**
     * The epoch of {@code snapshot}'s versions: {@code epochOf}, checked once per epoch object,
     * not once per snapshot (the snapshots of one epoch share its string).
     */
    private String epochOf(Snapshot<T> snapshot) {
      String raw = snapshot.epoch();
      if (raw != checkedRawEpoch) {
        checkedEpoch = epochOf.apply(snapshot);
        checkedRawEpoch = raw;
      }
      return checkedEpoch;
    }

    /** Events for a snapshot after the first: at most one. */
    synchronized @Nullable Event onNext(Snapshot<T> snapshot) {
      String now = epochOf(snapshot);
      if (!now.equals(epoch)) {
        // Another history (a Redis store re-seeded, say): what the client has is no base.
        epoch = now;
        latest = snapshot;
        return full(RESYNC, snapshot);
      }
      if (snapshot.version() <= lastId) {
        return null;
      }
      latest = snapshot;
      if (distinct && previous != null && previous.state().equals(snapshot.state())) {
        return snapshot.version() - lastId >= bookmarkVersions ? bookmark(snapshot) : null;
      }
      return change(snapshot);
    }

    /** A bookmark when versions were skipped since the last event, on the bookmark timer. */
    synchronized @Nullable Event onTick() {
      Snapshot<T> newest = latest;
      return newest != null && newest.version() > lastId ? bookmark(newest) : null;
    }

    /** Events for the first snapshot: the initial event, a replay, a resync, or a bookmark. */
    synchronized List<Event> onFirst(Snapshot<T> snapshot) {
      latest = snapshot;
      epoch = epochOf(snapshot);
      if (lastEventId == null) {
        return List.of(full(SNAPSHOT, snapshot));
      }
      VersionToken seen = lastSeen;
      if (seen == null || !seen.epoch().equals(epoch) || seen.version() > snapshot.version()) {
        return List.of(full(RESYNC, snapshot));
      }
      if (seen.version() == snapshot.version()) {
        previous = snapshot;
        return List.of(bookmark(snapshot));
      }
      List<Event> replay = replay(seen.version(), snapshot);
      if (replay == null) {
        return List.of(full(RESYNC, snapshot));
      }
      return replay.isEmpty() ? List.of(bookmark(snapshot)) : replay;
    }

    /** The versions after seen up to current, if history still has them all; else null. */
    private @Nullable List<Event> replay(long seen, Snapshot<T> current) {
      @Nullable Snapshot<T> base = null;
      List<Snapshot<T>> missed = new ArrayList<>();
      for (Snapshot<T> s : history.get()) {
        if (s.version() == seen) {
          base = s;
        } else if (s.version() > seen && s.version() <= current.version()) {
          missed.add(s);
        }
      }
      boolean complete = !missed.isEmpty()
          && missed.get(0).version() == seen + 1
          && missed.get(missed.size() - 1).version() == current.version()
          && missed.size() == current.version() - seen;
      if (!complete || ((patch || distinct) && base == null)) {
        return null;
      }
      previous = base;
      List<Event> events = new ArrayList<>(missed.size());
      for (Snapshot<T> s : missed) {
        if (distinct && previous != null && previous.state().equals(s.state())) {
          continue;
        }
        events.add(change(s));
      }
      return events;
    }

    private Event full(String event, Snapshot<T> snapshot) {
      previous = snapshot;
      lastId = snapshot.version();
      return new Event(event, epoch, snapshot.version(),
          json.document(selectorKey, epoch, snapshot));
    }

    private Event bookmark(Snapshot<T> snapshot) {
      // Nothing this stream carries changed up to here: the client's state is the state at this
      // version, so the next patch is relative to it.
      previous = snapshot;
      lastId = snapshot.version();
      return new Event(BOOKMARK, epoch, snapshot.version(),
          "{\"epoch\":\"" + epoch + "\",\"version\":" + snapshot.version() + "}");
    }

    private Event change(Snapshot<T> snapshot) {
      Snapshot<T> base = previous;
      if (!patch || base == null) {
        return full(CHANGE, snapshot);
      }
      previous = snapshot;
      lastId = snapshot.version();
      return new Event(PATCH, epoch, snapshot.version(),
          json.patch(selectorKey, epoch, base, snapshot));
    }
  }
}
