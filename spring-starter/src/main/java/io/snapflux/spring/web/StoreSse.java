package io.snapflux.spring.web;

import com.flipkart.zjsonpatch.Jackson3JsonDiff;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-Sent Events from a store: one event per delivered version, {@code id} = the version,
 * resumable with {@code Last-Event-ID}.
 *
 * <pre>{@code
 * @GetMapping(path = "/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
 * Flux<ServerSentEvent<Object>> stream(
 *     @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
 *   return StoreSse.stream(store, lastEventId);
 * }
 * }</pre>
 *
 * <h2>Events</h2>
 *
 * <table>
 *   <caption>Event names</caption>
 *   <tr><th>event</th><th>when</th><th>data</th></tr>
 *   <tr><td>{@value #SNAPSHOT}</td><td>first event of a new connection (no {@code
 *       Last-Event-ID})</td><td>the snapshot: {@code {"version":…, "state":…, "cause":…,
 *       "timestamp":…}}</td></tr>
 *   <tr><td>{@value #CHANGE}</td><td>a later version, and each version replayed on resume</td>
 *       <td>the snapshot</td></tr>
 *   <tr><td>{@value #RESYNC}</td><td>on resume, when the missed versions are no longer in the
 *       store's history (or the {@code Last-Event-ID} is not one of the store's versions): the
 *       client must replace its state, not apply a change</td><td>the snapshot</td></tr>
 *   <tr><td>{@value #PATCH}</td><td>instead of {@code change}, with {@link
 *       SseOptions#withJsonPatch}</td><td>{@code {"version":…, "from":…, "patch":[RFC 6902
 *       operations], "cause":…, "timestamp":…}}, to apply to the state at version {@code
 *       from} (the previous event's)</td></tr>
 * </table>
 *
 * <p>Heartbeats are SSE comments ({@code :heartbeat}), every {@link SseOptions#heartbeat()}.
 *
 * <h2>Resume</h2>
 *
 * <p>With a {@code Last-Event-ID} of {@code v}: if the store is still at {@code v}, nothing is
 * sent until the next change; if it is further, the versions after {@code v} are replayed from
 * {@link Store#history()} when all of them are still there ({@code snapflux.stores.<name>.history-size}),
 * otherwise one {@code resync} event carries the current snapshot.
 *
 * <h2>Slow clients</h2>
 *
 * <p>Delivery is conflated: a client that cannot keep up skips intermediate versions and gets the
 * newest one when it is ready (so event ids may jump; each event is still a complete state, and
 * each patch is computed against the previous event, not the previous version). The stream holds
 * no per-version buffer; what is in flight is bounded by the HTTP layer's prefetch, whatever the
 * rate of changes. When the store closes, the stream completes after the final snapshot.
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
   * @param options heartbeat and JSON Patch
   * @param <S> the type of the state
   * @return an endless stream of events, completing when the store closes
   */
  public static <S> Flux<ServerSentEvent<Object>> stream(
      Store<S> store, @Nullable String lastEventId, SseOptions options) {
    return events(store.changes(), () -> versions(store), false, lastEventId, options);
  }

  /** The kept versions, oldest first: the history capability's, or just the current one. */
  private static <S> List<Snapshot<S>> versions(Store<S> store) {
    return store.history().map(h -> h.versions().asJava())
        .orElseGet(() -> List.of(store.snapshot()));
  }

  /**
   * A selection of the store's state as events: an event only when the selected value changes
   * ({@code equals}), its id the version that changed it, its data a snapshot whose {@code state}
   * is the selected value.
   *
   * @param store the store
   * @param selector a pure function of the state
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param options heartbeat and JSON Patch
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
    return events(
        store.changes().map(s -> StoreSse.<S, T>select(s, selector)),
        () -> versions(store).stream().map(s -> StoreSse.<S, T>select(s, selector)).toList(),
        true,
        lastEventId,
        options);
  }

  /**
   * Any stream of snapshots as events, e.g. one already filtered or mapped. Without a history to
   * replay from, a resuming client that missed versions gets a {@code resync}. The stream should
   * be conflated (as {@link Store#changes()} is) for slow clients to cost nothing.
   *
   * @param snapshots snapshots with increasing versions
   * @param lastEventId the request's {@code Last-Event-ID}, or {@code null}
   * @param options heartbeat and JSON Patch
   * @param <T> the type of the states
   * @return the events
   */
  public static <T> Flux<ServerSentEvent<Object>> stream(
      Flux<Snapshot<T>> snapshots, @Nullable String lastEventId, SseOptions options) {
    return events(snapshots, List::of, false, lastEventId, options);
  }

  private static <S, T> Snapshot<T> select(
      Snapshot<S> snapshot, Function<? super S, ? extends T> selector) {
    return Snapshot.<T>of(snapshot.version(), selector.apply(snapshot.state()), snapshot.cause(),
        snapshot.timestampMillis());
  }

  private static <T> Flux<ServerSentEvent<Object>> events(
      Flux<Snapshot<T>> snapshots,
      Supplier<? extends Iterable<Snapshot<T>>> history,
      boolean distinct,
      @Nullable String lastEventId,
      SseOptions options) {
    Objects.requireNonNull(options, "options");
    return Flux.deferContextual(context -> {
      Mono<Void> drained = context.getOrDefault(SseDrain.CONTEXT_KEY, Mono.<Void>never());
      return undrained(snapshots, history, distinct, lastEventId, options)
          .takeUntilOther(Objects.requireNonNull(drained));
    });
  }

  private static <T> Flux<ServerSentEvent<Object>> undrained(
      Flux<Snapshot<T>> snapshots,
      Supplier<? extends Iterable<Snapshot<T>>> history,
      boolean distinct,
      @Nullable String lastEventId,
      SseOptions options) {
    return Flux.defer(() -> {
      Session<T> session = new Session<>(history, distinct, lastEventId, options.jsonPatchMapper());
      // No prefetching operator between the conflated source and the client: the first snapshot
      // may expand into a replay (a finite list), every later one maps to at most one event, and
      // handle() passes demand through, so the source is asked for a snapshot only when the
      // client can take an event and what it then delivers is the newest.
      Flux<ServerSentEvent<Object>> events = snapshots.switchOnFirst((first, all) ->
          first.hasValue()
              ? Flux.fromIterable(session.onFirst(Objects.requireNonNull(first.get())))
                  .concatWith(all.skip(1).handle((snapshot, sink) -> {
                    ServerSentEvent<Object> event = session.onNext(snapshot);
                    if (event != null) {
                      sink.next(event);
                    }
                  }))
              : all.handle((snapshot, sink) -> {}));
      if (options.heartbeat().isZero()) {
        return events;
      }
      Sinks.Empty<Void> done = Sinks.empty();
      Flux<ServerSentEvent<Object>> heartbeats = Flux.interval(options.heartbeat())
          .onBackpressureDrop()
          .map(tick -> ServerSentEvent.builder().comment(HEARTBEAT).build())
          .takeUntilOther(done.asMono());
      // merge holds at most one event per source (prefetch 1) while the client is not reading.
      return Flux.merge(1, events.doFinally(signal -> done.tryEmitEmpty()), heartbeats);
    });
  }

  /**
   * The per-connection state: what the client has (the last version sent, and its JSON tree when
   * patching). Used by one subscription, serially.
   */
  private static final class Session<T> {

    private static final long FRESH = -1;
    private static final long UNKNOWN = -2;

    private final Supplier<? extends Iterable<Snapshot<T>>> history;
    private final boolean distinct;
    private final @Nullable ObjectMapper mapper;
    private final long lastSeen;
    private @Nullable Snapshot<T> previous;
    private @Nullable JsonNode previousTree;

    Session(
        Supplier<? extends Iterable<Snapshot<T>>> history,
        boolean distinct,
        @Nullable String lastEventId,
        @Nullable ObjectMapper mapper) {
      this.history = history;
      this.distinct = distinct;
      this.mapper = mapper;
      this.lastSeen = parse(lastEventId);
    }

    private static long parse(@Nullable String lastEventId) {
      if (lastEventId == null || lastEventId.isBlank()) {
        return FRESH;
      }
      try {
        long version = Long.parseLong(lastEventId.trim());
        return version < 0 ? UNKNOWN : version;
      } catch (NumberFormatException e) {
        return UNKNOWN;
      }
    }

    /** Events for a snapshot after the first: at most one. */
    @Nullable ServerSentEvent<Object> onNext(Snapshot<T> snapshot) {
      if (previous != null && snapshot.version() <= previous.version()) {
        return null;
      }
      if (distinct && previous != null && previous.state().equals(snapshot.state())) {
        return null;
      }
      return change(snapshot);
    }

    /** Events for the first snapshot: the initial event, a replay, a resync, or nothing. */
    List<ServerSentEvent<Object>> onFirst(Snapshot<T> snapshot) {
      if (lastSeen == FRESH) {
        return List.of(full(SNAPSHOT, snapshot));
      }
      if (lastSeen == snapshot.version()) {
        base(snapshot);
        return List.of();
      }
      if (lastSeen >= 0 && lastSeen < snapshot.version()) {
        List<ServerSentEvent<Object>> replay = replay(snapshot);
        if (replay != null) {
          return replay;
        }
      }
      return List.of(full(RESYNC, snapshot));
    }

    /** The versions after lastSeen up to current, if history still has them all; else null. */
    private @Nullable List<ServerSentEvent<Object>> replay(Snapshot<T> current) {
      @Nullable Snapshot<T> base = null;
      List<Snapshot<T>> missed = new ArrayList<>();
      for (Snapshot<T> s : history.get()) {
        if (s.version() == lastSeen) {
          base = s;
        } else if (s.version() > lastSeen && s.version() <= current.version()) {
          missed.add(s);
        }
      }
      boolean complete = !missed.isEmpty()
          && missed.get(0).version() == lastSeen + 1
          && missed.get(missed.size() - 1).version() == current.version()
          && missed.size() == current.version() - lastSeen;
      if (!complete || (mapper != null && base == null)) {
        return null;
      }
      if (base != null) {
        base(base);
      }
      List<ServerSentEvent<Object>> events = new ArrayList<>(missed.size());
      for (Snapshot<T> s : missed) {
        if (distinct && previous != null && previous.state().equals(s.state())) {
          continue;
        }
        events.add(change(s));
      }
      return events;
    }

    private void base(Snapshot<T> snapshot) {
      previous = snapshot;
      previousTree = mapper == null ? null : mapper.valueToTree(snapshot.state());
    }

    private ServerSentEvent<Object> full(String event, Snapshot<T> snapshot) {
      base(snapshot);
      return ServerSentEvent.<Object>builder(snapshot)
          .id(Long.toString(snapshot.version()))
          .event(event)
          .build();
    }

    private ServerSentEvent<Object> change(Snapshot<T> snapshot) {
      if (mapper == null || previous == null || previousTree == null) {
        return full(CHANGE, snapshot);
      }
      long from = previous.version();
      JsonNode before = previousTree;
      base(snapshot);
      ObjectNode data = mapper.createObjectNode();
      data.put("version", snapshot.version());
      data.put("from", from);
      data.set("patch", Jackson3JsonDiff.asJson(before, Objects.requireNonNull(previousTree)));
      Object cause = snapshot.cause();
      if (cause != null) {
        data.set("cause", causeTree(mapper, cause));
      }
      data.put("timestamp", snapshot.timestamp().toString());
      return ServerSentEvent.<Object>builder(data)
          .id(Long.toString(snapshot.version()))
          .event(PATCH)
          .build();
    }

    private static JsonNode causeTree(ObjectMapper mapper, Object cause) {
      if (cause instanceof CharSequence || cause instanceof Number || cause instanceof Boolean
          || cause instanceof Record || cause instanceof Enum<?>) {
        try {
          return mapper.valueToTree(cause);
        } catch (IllegalArgumentException | tools.jackson.core.JacksonException e) {
          // fall through: an unserializable cause is still worth its text
        }
      }
      return mapper.getNodeFactory().stringNode(cause.toString());
    }
  }
}
