package io.snapflux.spring.web;

import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;

/**
 * HTTP conditional requests (RFC 9110 §13) on top of store versions, for WebFlux handlers and
 * annotated controllers alike.
 *
 * <ul>
 *   <li>The entity-tag of a representation is the store version, quoted and strong: version 7
 *       is {@code ETag: "7"}.
 *   <li>Reads ({@link #read}): {@code If-None-Match} naming the current version (weak comparison;
 *       {@code *} always matches, a store always has a state) → {@code 304 Not Modified} with the
 *       {@code ETag} and no body; otherwise {@code 200} with the {@code ETag} and the body. A
 *       malformed {@code If-None-Match} is ignored: it only ever saves bandwidth.
 *   <li>Writes ({@link #write}, {@link #update}, {@link #modify}, {@link #commit}): no {@code
 *       If-Match} → an unconditional update; {@code If-Match: *} → an unconditional update (the
 *       store always has a current state); {@code If-Match: "5"} → {@link Store#updateIfVersion}
 *       at version 5; a list {@code "5", "6"} → a version-checked update at whichever listed
 *       version is current. A version that is not current → {@link PreconditionFailedException}
 *       (412, problem body naming the current version) and nothing changes. Weak tags never match
 *       (strong comparison). A malformed field → {@link InvalidPreconditionException} (400); see
 *       it for why. The field is parsed once into an {@link IfMatch}.
 * </ul>
 *
 * <p>The version is the version of the whole store; a resource that is a part of the state (one
 * flag of a map) uses it too. That is coarser than a per-resource tag (a change to another flag
 * also invalidates the tag) but never wrong, and costs nothing to compute. Whether the resource
 * itself exists is the handler's business (e.g. throw a 404 from the update function).
 *
 * <p>An application that wants every write to be conditional answers 428 itself when {@code
 * headers.getIfMatch()} is empty.
 *
 * <p>The returned {@code Mono}s are lazy and run the update on the subscribing thread, which for
 * an in-memory store never blocks. With a backend whose updates wait for I/O (the file backend in
 * {@code sync} mode), move the work off the event loop: {@code write(...).subscribeOn(
 * Schedulers.boundedElastic())}.
 *
 * <pre>{@code
 * @GetMapping("/api/state")
 * Mono<ResponseEntity<Snapshot<AppState>>> state(@RequestHeader HttpHeaders headers) {
 *   return ConditionalRequests.read(headers, store.snapshot(), (Snapshot<AppState> s) -> s);
 * }
 *
 * @PutMapping("/api/flags/{name}")
 * Mono<ResponseEntity<Flag>> put(@RequestHeader HttpHeaders headers, @PathVariable String name,
 *     @RequestBody Flag flag) {
 *   return ConditionalRequests.write(headers, store, "put " + name,
 *       state -> state.withFlag(name, flag), state -> state.flag(name));
 * }
 * }</pre>
 *
 * <p>When the response depends on what the update found (201 for a created resource, 200 for a
 * replaced one) or the cause does, {@link #modify} commits a {@link Plan} computed from one state
 * and reports its result; {@link #commit} runs any other version-checked operation (such as
 * {@link io.snapflux.store.History#undoIfVersion}) under the same rules.
 */
public final class ConditionalRequests {

  private ConditionalRequests() {}

  /**
   * What a {@link #modify} function wants committed.
   *
   * @param state the next state; the current state itself (or, under the store's {@code
   *     Equivalence}, an equal one) commits no version
   * @param cause the cause recorded in the committed snapshot, or {@code null}
   * @param result what the caller gets back, e.g. whether a resource was created
   * @param <S> the type of the state
   * @param <R> the type of the result
   */
  public record Plan<S, R extends @Nullable Object>(S state, @Nullable Object cause, R result) {

    /** Checks the state. */
    public Plan {
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * What {@link #modify} committed.
   *
   * @param snapshot the committed snapshot (the current one if the plan changed nothing)
   * @param result the result of the plan that was committed
   * @param <S> the type of the state
   * @param <R> the type of the result
   */
  public record Written<S, R extends @Nullable Object>(Snapshot<S> snapshot, R result) {}

  /**
   * The entity-tag of {@code version}: the version, quoted ({@code "7"}).
   *
   * @param version a store version
   * @return the strong entity-tag
   */
  public static String eTag(long version) {
    return "\"" + version + "\"";
  }

  /**
   * Whether a GET with {@code requestHeaders} may be answered 304 for {@code version}: its {@code
   * If-None-Match} names the version (weak comparison) or is {@code *}.
   *
   * @param requestHeaders the request's headers
   * @param version the version of the representation
   * @return {@code true} for 304
   */
  public static boolean notModified(HttpHeaders requestHeaders, long version) {
    try {
      EntityTags tags = EntityTags.parse(requestHeaders.getOrEmpty(HttpHeaders.IF_NONE_MATCH));
      return tags != null && tags.matchesWeakly(version);
    } catch (EntityTags.MalformedException e) {
      return false;
    }
  }

  /**
   * The request's {@code If-Match}, parsed, for {@link #modify} and {@link #commit}.
   *
   * @param requestHeaders the request's headers
   * @return the precondition; {@linkplain IfMatch#isPresent() absent} if the request has none
   * @throws InvalidPreconditionException if the field is malformed
   */
  public static IfMatch ifMatch(HttpHeaders requestHeaders) {
    return IfMatch.of(requestHeaders);
  }

  /**
   * A conditional read of {@code snapshot}: 304 with its {@code ETag} when the client has it,
   * else 200 with its {@code ETag} and {@code body} applied to the snapshot.
   *
   * @param requestHeaders the request's headers
   * @param snapshot the snapshot to serve, read once by the caller
   * @param body what to send from it, e.g. {@code s -> s} or {@code s -> s.state().flags()};
   *     not called for a 304
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> Mono<ResponseEntity<T>> read(
      HttpHeaders requestHeaders,
      Snapshot<S> snapshot,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    return Mono.fromSupplier(() -> readNow(requestHeaders, snapshot, body));
  }

  /**
   * Like {@link #read(HttpHeaders, Snapshot, Function)}, on the store's current snapshot, the body
   * computed from the state.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param body what to send from the state
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> Mono<ResponseEntity<T>> readState(
      HttpHeaders requestHeaders, Store<S> store, Function<? super S, ? extends @Nullable T> body) {
    return Mono.fromSupplier(
        () -> readNow(requestHeaders, store.snapshot(), s -> body.apply(s.state())));
  }

  /**
   * The synchronous form of {@link #read(HttpHeaders, Snapshot, Function)}. A body of {@code
   * null} gives 404 (with the {@code ETag}), so a handler can serve "no such part of the state".
   *
   * @param requestHeaders the request's headers
   * @param snapshot the snapshot to serve
   * @param body what to send from it
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> ResponseEntity<T> readNow(
      HttpHeaders requestHeaders,
      Snapshot<S> snapshot,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    String eTag = eTag(snapshot.version());
    if (notModified(requestHeaders, snapshot.version())) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(eTag).build();
    }
    T value = body.apply(snapshot);
    return value == null
        ? ResponseEntity.status(HttpStatus.NOT_FOUND).eTag(eTag).build()
        : ResponseEntity.ok().eTag(eTag).body(value);
  }

  /**
   * Applies {@code fn} to {@code store} under the request's {@code If-Match}, as described in
   * the class documentation.
   *
   * <p>The function may be applied more than once (an unconditional update retries on contention;
   * a listed version may be overtaken by another listed one) and must be side-effect-free. An
   * exception it throws (e.g. a 404 {@code ResponseStatusException}) propagates and nothing is
   * committed; under a version-checked {@code If-Match} it takes precedence over 412, as for
   * {@link #modify}.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param cause the cause recorded in the committed snapshot, or {@code null}
   * @param fn the pure update function
   * @param <S> the type of the state
   * @return the committed snapshot (the current one if {@code fn} changed nothing)
   * @throws PreconditionFailedException if {@code If-Match} names no current version
   * @throws InvalidPreconditionException if {@code If-Match} is malformed
   */
  public static <S> Snapshot<S> update(
      HttpHeaders requestHeaders, Store<S> store, @Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    IfMatch ifMatch = ifMatch(requestHeaders);
    if (!ifMatch.isPresent() || ifMatch.isAny()) {
      return store.update(cause, fn);
    }
    return modify(ifMatch, store, s -> new Plan<S, @Nullable Void>(fn.apply(s), cause, null))
        .snapshot();
  }

  /**
   * Commits the {@link Plan} that {@code fn} computes from the current state, under {@code
   * ifMatch}, and returns the plan's result with the committed snapshot: for writes whose response
   * or cause depends on what they found (create or replace, 201 or 200).
   *
   * <p>A plan is committed only at the version it was computed from ({@link
   * Store#updateIfVersion}), so the result describes exactly what was committed. If another write
   * commits first, a version-checked {@code If-Match} fails with 412 unless it also lists the new
   * version; an absent field or {@code *} plans again on the newer state (lock-free: an attempt
   * only fails because another write succeeded). The function may therefore be applied more than
   * once and must be side-effect-free.
   *
   * <p>The function sees the current state before the precondition is evaluated, so a failure it
   * detects (a 404 for a resource that does not exist) takes precedence over 412, as RFC 9110
   * §13.2.1 asks. An exception it throws propagates and nothing is committed.
   *
   * <p>Memory effects are those of {@link Store#updateIfVersion}.
   *
   * @param ifMatch the request's precondition, from {@link #ifMatch(HttpHeaders)}
   * @param store the store
   * @param fn computes the next state, the cause and the result from a state
   * @param <S> the type of the state
   * @param <R> the type of the result
   * @return the committed snapshot and the committed plan's result
   * @throws PreconditionFailedException if {@code ifMatch} names no current version
   */
  public static <S, R extends @Nullable Object> Written<S, R> modify(
      IfMatch ifMatch, Store<S> store, Function<? super S, Plan<S, R>> fn) {
    Objects.requireNonNull(fn, "fn");
    Snapshot<S> current = store.snapshot();
    for (;;) {
      Plan<S, R> plan = Objects.requireNonNull(fn.apply(current.state()), "plan");
      if (!ifMatch.matches(current.version())) {
        current = refuse(ifMatch, store, current);
        continue;
      }
      Outcome<S> outcome =
          store.updateIfVersion(current.version(), plan.cause(), s -> plan.state());
      if (outcome.applied()) {
        return new Written<>(outcome.snapshot(), plan.result());
      }
      current = outcome.snapshot();
    }
  }

  /**
   * Refuses a precondition that the current version does not satisfy, through the store: a
   * version-checked write that changes nothing is made at the newest version the precondition
   * names, so the store refuses it as it refuses any stale write and counts it ({@code
   * StoreStats.versionConflicts}, the metrics' {@code snapflux.store.version.conflicts} and
   * {@code outcome=conflict}) on every backend. Before, a 412 decided here never reached the
   * store and no meter saw it.
   *
   * <p>If the store has reached the named version meantime (or a replica was behind the store
   * the client read from), that write applies and changes nothing, and the newer snapshot is
   * returned: the caller then plans again against it. Otherwise this throws 412. A precondition
   * that names no version at all (only weak or non-version tags) can never be satisfied and is
   * refused without a store call: it is no version conflict, and is not counted as one.
   */
  private static <S> Snapshot<S> refuse(IfMatch ifMatch, Store<S> store, Snapshot<S> current) {
    long named = ifMatch.newestVersion();
    Snapshot<S> seen = current;
    if (named >= 0) {
      Outcome<S> outcome = store.updateIfVersion(named, UnaryOperator.identity());
      if (outcome.applied() && ifMatch.matches(outcome.snapshot().version())) {
        return outcome.snapshot();
      }
      seen = outcome.snapshot();
    }
    throw ifMatch.failed(store.name(), seen.version());
  }

  /**
   * Runs a version-checked operation under {@code ifMatch}: {@code ifVersion} is called with the
   * current version while {@code ifMatch} matches it, until it applies. For operations other than
   * updates, e.g. {@code commit(ifMatch, store, v -> history.undoIfVersion(v, user))}.
   *
   * <p>With an absent field or {@code *} every version matches, so a conflict is retried on the
   * newer version; where the store has an unconditional form of the operation ({@link
   * io.snapflux.store.History#undo(Object)}), that is the cheaper call for them.
   *
   * @param ifMatch the request's precondition, from {@link #ifMatch(HttpHeaders)}
   * @param store the store
   * @param ifVersion the operation, applied only if the store is at the given version, such as
   *     {@link io.snapflux.store.History#undoIfVersion}; may throw to refuse the request
   * @param <S> the type of the state
   * @return the snapshot of the outcome that applied
   * @throws PreconditionFailedException if {@code ifMatch} names no current version
   */
  public static <S> Snapshot<S> commit(
      IfMatch ifMatch, Store<S> store, LongFunction<? extends Outcome<S>> ifVersion) {
    Objects.requireNonNull(ifVersion, "ifVersion");
    Snapshot<S> current = store.snapshot();
    // Versions only grow, so each conflict moves past at least one listed version: the loop ends.
    for (;;) {
      if (!ifMatch.matches(current.version())) {
        current = refuse(ifMatch, store, current);
        continue;
      }
      Outcome<S> outcome = ifVersion.apply(current.version());
      if (outcome.applied()) {
        return outcome.snapshot();
      }
      current = outcome.snapshot();
    }
  }

  /**
   * A conditional write: {@link #update} under the request's {@code If-Match}, answered with 200,
   * the new {@code ETag} and {@code body} applied to the new state; or a {@link
   * PreconditionFailedException} (412) / {@link InvalidPreconditionException} (400) error signal.
   * A body of {@code null} gives 204 with the {@code ETag}.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param cause the cause recorded in the committed snapshot, or {@code null}
   * @param fn the pure update function; may be applied more than once
   * @param body what to send from the new state
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response, or an error signal
   */
  public static <S, T> Mono<ResponseEntity<T>> write(
      HttpHeaders requestHeaders,
      Store<S> store,
      @Nullable Object cause,
      UnaryOperator<S> fn,
      Function<? super S, ? extends @Nullable T> body) {
    return Mono.fromSupplier(() -> {
      Snapshot<S> committed = update(requestHeaders, store, cause, fn);
      T value = body.apply(committed.state());
      String eTag = eTag(committed.version());
      return value == null
          ? ResponseEntity.noContent().eTag(eTag).build()
          : ResponseEntity.ok().eTag(eTag).body(value);
    });
  }

  /**
   * Like {@link #write(HttpHeaders, Store, Object, UnaryOperator, Function)} without a cause.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param fn the pure update function; may be applied more than once
   * @param body what to send from the new state
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response, or an error signal
   */
  public static <S, T> Mono<ResponseEntity<T>> write(
      HttpHeaders requestHeaders,
      Store<S> store,
      UnaryOperator<S> fn,
      Function<? super S, ? extends @Nullable T> body) {
    return write(requestHeaders, store, null, fn, body);
  }
}
