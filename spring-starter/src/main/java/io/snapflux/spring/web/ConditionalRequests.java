package io.snapflux.spring.web;

import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;

/**
 * HTTP conditional requests (RFC 9110 §13) on top of {@linkplain VersionToken version tokens}, as
 * the Snapflux watch protocol ({@code docs/protocol.md}) specifies them, for WebFlux handlers and
 * annotated controllers alike.
 *
 * <ul>
 *   <li>The entity-tag of a representation of the whole state is the store's version token,
 *       quoted and strong: version 7 of epoch {@code 9f2c41d07be3a5e8} is {@code ETag:
 *       "9f2c41d07be3a5e8.7"}. The entity-tag of a part of the state (an entity, e.g. one flag)
 *       is the token of the version at which that part last changed ({@link SelectionVersions}).
 *   <li>Reads ({@link #read}, {@link #readNow}): {@code If-None-Match} naming the current token
 *       (weak comparison; {@code *} always matches, a store always has a state) → {@code 304 Not
 *       Modified} with the {@code ETag} and no body; otherwise (another epoch, a legacy bare
 *       version, an older version) {@code 200} with the {@code ETag} and the body. A malformed
 *       {@code If-None-Match} is ignored: it only ever saves bandwidth.
 *   <li>Long polling ({@link #poll}, {@link #pollEntity}): with {@code Prefer: wait=<seconds>}
 *       (RFC 7240) and an {@code If-None-Match} naming the current token, the answer waits, on no
 *       thread, until a newer version (200) or the wait elapses (304), with {@code
 *       Preference-Applied}.
 *   <li>Writes ({@link #write}, {@link #update}, {@link #modify}, {@link #commit}): no {@code
 *       If-Match} → an unconditional update; {@code If-Match: *} → an unconditional update (the
 *       store always has a current state); {@code If-Match: "e.5"} → {@link Store#updateIfVersion}
 *       at version 5 if {@code e} is the store's epoch; a list → a version-checked update at
 *       whichever listed token is current. A token that is not current (an older version, another
 *       epoch, a legacy bare version {@code "5"}) → {@link PreconditionFailedException} (412,
 *       problem body naming the current token) and nothing changes. Weak tags never match
 *       (strong comparison). A malformed field → {@link InvalidPreconditionException} (400); see
 *       it for why. The field is parsed once into an {@link IfMatch}. {@link #modifyEntity} does
 *       the same for an entity: it conflicts only if the entity changed after the listed version.
 * </ul>
 *
 * <p>Whether the resource itself exists is the handler's business (e.g. throw a 404 from the
 * update function). An application that wants every write to be conditional answers 428 itself
 * when {@code headers.getIfMatch()} is empty.
 *
 * <p>Two forms of every write. The {@code Mono}-returning ones ({@link #write}, {@link
 * #updateAsync}, {@link #modifyAsync}, {@link #modifyEntityAsync}, {@link #commitAsync}) commit
 * through {@link Store#async()} and never block, on any backend: they complete when the backend
 * acknowledges the write (memory at once, file when durable, Redis on its round trip), so
 * WebFlux handlers call them on the event loop. They are lazy, and make at most a bounded number
 * of attempts ({@link #DEFAULT_MAX_ATTEMPTS}). The synchronous forms ({@link #update}, {@link
 * #modify}, {@link #modifyEntity}, {@link #commit}) are for MVC handlers and other threads that
 * may block: on a backend that waits for I/O they wait too.
 *
 * <pre>{@code
 * @GetMapping("/api/state")
 * Mono<ResponseEntity<Snapshot<AppState>>> state(@RequestHeader HttpHeaders headers) {
 *   return ConditionalRequests.read(headers, store, store.snapshot(), (Snapshot<AppState> s) -> s);
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

  /**
   * How many plans the non-blocking writes ({@link #updateAsync}, {@link #modifyAsync}, {@link
   * #commitAsync}) make at most when other writes keep winning the race: {@value}. Each conflict
   * means another write committed, so reaching it takes that many commits during one request.
   */
  public static final int DEFAULT_MAX_ATTEMPTS = 100;

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
   * @param eTag the validator of what was written after the write: the committed snapshot's
   *     token for {@link #modify}, the entity's (the version at which it last changed) for {@link
   *     #modifyEntity}; the response's {@code ETag}
   * @param <S> the type of the state
   * @param <R> the type of the result
   */
  public record Written<S, R extends @Nullable Object>(
      Snapshot<S> snapshot, R result, VersionToken eTag) {}

  /**
   * The entity-tag of {@code snapshot} of {@code store}: its {@linkplain VersionToken token},
   * quoted ({@code "9f2c41d07be3a5e8.7"}).
   *
   * @param store the store
   * @param snapshot a snapshot of it
   * @return the strong entity-tag
   */
  public static String eTag(Store<?> store, Snapshot<?> snapshot) {
    return VersionToken.of(snapshot, store).eTag();
  }

  /**
   * Whether a GET with {@code requestHeaders} may be answered 304 for a representation whose
   * validator is {@code current}: its {@code If-None-Match} names it (weak comparison) or is
   * {@code *}.
   *
   * @param requestHeaders the request's headers
   * @param current the validator of the representation
   * @return {@code true} for 304
   */
  public static boolean notModified(HttpHeaders requestHeaders, VersionToken current) {
    try {
      EntityTags tags = EntityTags.parse(requestHeaders.getOrEmpty(HttpHeaders.IF_NONE_MATCH));
      return tags != null && tags.matchesWeakly(current);
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
   * @param store the store the snapshot is of
   * @param snapshot the snapshot to serve, read once by the caller
   * @param body what to send from it, e.g. {@code s -> s} or {@code s -> s.state().flags()};
   *     not called for a 304
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> Mono<ResponseEntity<T>> read(
      HttpHeaders requestHeaders,
      Store<S> store,
      Snapshot<S> snapshot,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    return Mono.fromSupplier(() -> readNow(requestHeaders, store, snapshot, body));
  }

  /**
   * Like {@link #read(HttpHeaders, Store, Snapshot, Function)}, on the store's current snapshot,
   * the body computed from the state.
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
        () -> readNow(requestHeaders, store, store.snapshot(), s -> body.apply(s.state())));
  }

  /**
   * The synchronous form of {@link #read(HttpHeaders, Store, Snapshot, Function)}. A body of
   * {@code null} gives 404 (with the {@code ETag}), so a handler can serve "no such part of the
   * state".
   *
   * @param requestHeaders the request's headers
   * @param store the store the snapshot is of
   * @param snapshot the snapshot to serve
   * @param body what to send from it
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> ResponseEntity<T> readNow(
      HttpHeaders requestHeaders,
      Store<S> store,
      Snapshot<S> snapshot,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    return readNow(requestHeaders, VersionToken.of(snapshot, store), () -> body.apply(snapshot));
  }

  /**
   * A conditional read of any representation whose validator is {@code validator}, e.g. an
   * entity's from {@link SelectionVersions#lastChanged}: 304 with the {@code ETag} when {@code
   * If-None-Match} names it, else 200 with the {@code ETag} and the body (404 with the {@code
   * ETag} for a {@code null} body).
   *
   * @param requestHeaders the request's headers
   * @param validator the representation's validator
   * @param body the body; not called for a 304
   * @param <T> the type of the body
   * @return the response
   */
  public static <T> ResponseEntity<T> readNow(
      HttpHeaders requestHeaders, VersionToken validator, Supplier<? extends @Nullable T> body) {
    String eTag = validator.eTag();
    if (notModified(requestHeaders, validator)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(eTag).build();
    }
    T value = body.get();
    return value == null
        ? ResponseEntity.status(HttpStatus.NOT_FOUND).eTag(eTag).build()
        : ResponseEntity.ok().eTag(eTag).body(value);
  }

  /**
   * A conditional read that may wait for a newer version (long polling, protocol rules R5, R6):
   * with {@code Prefer: wait=<seconds>} and an {@code If-None-Match} naming the current token,
   * the answer is 200 with the first newer snapshot as soon as the store has one, or 304 when the
   * wait elapses; both carry {@code Preference-Applied: wait=<seconds>}, the wait reduced to
   * {@code maxWait}. Otherwise it is {@link #readNow(HttpHeaders, Store, Snapshot, Function)} at
   * once. No thread waits: the answer is a {@code Mono} on {@link Store#changes()} with a timeout.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param maxWait the longest wait granted
   * @param body what to send from the snapshot served
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> Mono<ResponseEntity<T>> poll(
      HttpHeaders requestHeaders,
      Store<S> store,
      Duration maxWait,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    return LongPoll.poll(requestHeaders, store, s -> VersionToken.of(s, store), maxWait, body);
  }

  /**
   * Like {@link #poll}, for an entity: its validator is the version at which {@code selector} of
   * the state last changed ({@link SelectionVersions}), so the answer waits until the entity
   * changes, whatever else does.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param selector selects the entity from the state ({@code equals} compares it)
   * @param maxWait the longest wait granted
   * @param body what to send from the snapshot served; {@code null} gives 404
   * @param <S> the type of the state
   * @param <T> the type of the body
   * @return the response
   */
  public static <S, T> Mono<ResponseEntity<T>> pollEntity(
      HttpHeaders requestHeaders,
      Store<S> store,
      Function<? super S, ?> selector,
      Duration maxWait,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    return LongPoll.poll(requestHeaders, store,
        s -> SelectionVersions.lastChanged(store, s, selector), maxWait, body);
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
      if (!ifMatch.matches(VersionToken.of(current, store))) {
        current = refuse(ifMatch, store, current);
        continue;
      }
      Outcome<S> outcome =
          store.updateIfVersion(current.version(), plan.cause(), s -> plan.state());
      if (outcome.applied()) {
        Snapshot<S> committed = outcome.snapshot();
        return new Written<>(committed, plan.result(), VersionToken.of(committed, store));
      }
      current = outcome.snapshot();
    }
  }

  /**
   * Like {@link #modify}, for a write to one entity (a part of the state, such as one flag):
   * {@code ifMatch} is satisfied while the entity has not changed since the version it names
   * (protocol rule R9, {@link IfMatch#matchesEntity}), so a write conflicts only when the entity
   * itself changed, not when another part of the state did. The plan is still committed only at
   * the version it was computed from; if another write commits first, the precondition is
   * checked again on the newer state.
   *
   * @param ifMatch the request's precondition, from {@link #ifMatch(HttpHeaders)}
   * @param store the store
   * @param selector selects the entity from the state ({@code equals} compares it)
   * @param fn computes the next state, the cause and the result from a state
   * @param <S> the type of the state
   * @param <R> the type of the result
   * @return the committed snapshot, the plan's result and the entity's new validator
   * @throws PreconditionFailedException if the entity changed after every version {@code
   *     ifMatch} names (its {@code ETag}: the entity's current validator)
   */
  public static <S, R extends @Nullable Object> Written<S, R> modifyEntity(
      IfMatch ifMatch,
      Store<S> store,
      Function<? super S, ?> selector,
      Function<? super S, Plan<S, R>> fn) {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(fn, "fn");
    Snapshot<S> current = store.snapshot();
    for (;;) {
      Plan<S, R> plan = Objects.requireNonNull(fn.apply(current.state()), "plan");
      VersionToken changed = SelectionVersions.lastChanged(store, current, selector);
      if (!ifMatch.matchesEntity(changed, VersionToken.of(current, store))) {
        throw ifMatch.failed(store.name(), changed);
      }
      Outcome<S> outcome =
          store.updateIfVersion(current.version(), plan.cause(), s -> plan.state());
      if (outcome.applied()) {
        Snapshot<S> committed = outcome.snapshot();
        return new Written<>(committed, plan.result(),
            SelectionVersions.lastChanged(store, committed, selector));
      }
      current = outcome.snapshot();
    }
  }

  /**
   * {@link #modifyEntity}, without blocking (for WebFlux handlers): the plan is committed through
   * {@link Store#async()}, so the returned {@link Mono} completes when the backend acknowledges
   * the write (memory at once, file when durable, Redis on its round trip) and no thread waits
   * for it. On a conflict the plan is computed again on the newer state, at most {@code
   * maxAttempts} times; after that the {@code Mono} fails with {@link
   * WriteContentionException} (503 with {@code Retry-After}) naming the store (nothing was
   * committed by the failed attempts). The synchronous {@link
   * #modifyEntity} is for MVC handlers on threads that may block.
   *
   * @param ifMatch the request's precondition, from {@link #ifMatch(HttpHeaders)}
   * @param store the store
   * @param selector selects the entity from the state ({@code equals} compares it)
   * @param fn computes the next state, the cause and the result from a state
   * @param maxAttempts how many plans at most (at least 1)
   * @param <S> the type of the state
   * @param <R> the type of the result
   * @return the committed snapshot, the plan's result and the entity's new validator; fails with
   *     {@link PreconditionFailedException} as {@link #modifyEntity} throws it
   */
  public static <S, R extends @Nullable Object> Mono<Written<S, R>> modifyEntityAsync(
      IfMatch ifMatch,
      Store<S> store,
      Function<? super S, ?> selector,
      Function<? super S, Plan<S, R>> fn,
      int maxAttempts) {
    Objects.requireNonNull(ifMatch, "ifMatch");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(fn, "fn");
    requireAttempts(maxAttempts);
    return Mono.defer(() -> attempt(ifMatch, store, selector, fn, store.snapshot(), maxAttempts));
  }

  private static <S, R extends @Nullable Object> Mono<Written<S, R>> attempt(
      IfMatch ifMatch,
      Store<S> store,
      Function<? super S, ?> selector,
      Function<? super S, Plan<S, R>> fn,
      Snapshot<S> current,
      int attemptsLeft) {
    Plan<S, R> plan = Objects.requireNonNull(fn.apply(current.state()), "plan");
    VersionToken changed = SelectionVersions.lastChanged(store, current, selector);
    if (!ifMatch.matchesEntity(changed, VersionToken.of(current, store))) {
      return Mono.error(ifMatch.failed(store.name(), changed));
    }
    return store.async()
        .updateIfVersion(current.version(), plan.cause(), s -> plan.state())
        .flatMap(outcome -> outcome.applied()
            ? Mono.just(new Written<>(outcome.snapshot(), plan.result(),
                SelectionVersions.lastChanged(store, outcome.snapshot(), selector)))
            : retry(Mono.just(outcome.snapshot()), store, attemptsLeft,
                newer -> attempt(ifMatch, store, selector, fn, newer, attemptsLeft - 1)));
  }

  /**
   * {@link #update}, without blocking (for WebFlux handlers): the write goes through {@link
   * Store#async()}, so the returned {@link Mono} completes when the backend acknowledges it
   * (memory at once, file when durable under its durability mode, Redis on its round trip) and
   * no thread waits for it. Lazy: nothing happens until subscription.
   *
   * <p>Without {@code If-Match} or with {@code *}, one {@link io.snapflux.store.AsyncWrites#update}
   * (the store retries conflicts itself). Otherwise {@link #modifyAsync} with {@link
   * #DEFAULT_MAX_ATTEMPTS}. A malformed {@code If-Match} fails the {@code Mono} with {@link
   * InvalidPreconditionException} before anything is committed.
   *
   * @param requestHeaders the request's headers
   * @param store the store
   * @param cause the cause recorded in the committed snapshot, or {@code null}
   * @param fn the pure update function; may be applied more than once
   * @param <S> the type of the state
   * @return the committed snapshot (the current one if {@code fn} changed nothing); fails with
   *     {@link PreconditionFailedException} if {@code If-Match} names no current version
   */
  public static <S> Mono<Snapshot<S>> updateAsync(
      HttpHeaders requestHeaders, Store<S> store, @Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(requestHeaders, "requestHeaders");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(fn, "fn");
    return Mono.defer(() -> {
      IfMatch ifMatch = ifMatch(requestHeaders);
      if (!ifMatch.isPresent() || ifMatch.isAny()) {
        return store.async().update(cause, fn);
      }
      return modifyAsync(ifMatch, store,
          s -> new Plan<S, @Nullable Void>(fn.apply(s), cause, null), DEFAULT_MAX_ATTEMPTS)
          .map(Written::snapshot);
    });
  }

  /**
   * {@link #modify}, without blocking: each plan is committed through {@link Store#async()}, so
   * the returned {@link Mono} completes when the backend acknowledges the write and no thread
   * waits for it. A plan is committed only at the version it was computed from; on a conflict it
   * is computed again on the newer state, at most {@code maxAttempts} times in all, after which
   * the {@code Mono} fails with {@link WriteContentionException} (503 with {@code Retry-After})
   * naming the store (the failed attempts committed nothing). Lazy: nothing happens until subscription.
   *
   * @param ifMatch the request's precondition, from {@link #ifMatch(HttpHeaders)}
   * @param store the store
   * @param fn computes the next state, the cause and the result from a state; side-effect-free
   * @param maxAttempts how many plans at most (at least 1), e.g. {@link #DEFAULT_MAX_ATTEMPTS}
   * @param <S> the type of the state
   * @param <R> the type of the result
   * @return the committed snapshot and the committed plan's result; fails with {@link
   *     PreconditionFailedException} if {@code ifMatch} names no current version
   * @throws IllegalArgumentException if {@code maxAttempts} is below 1
   */
  public static <S, R extends @Nullable Object> Mono<Written<S, R>> modifyAsync(
      IfMatch ifMatch, Store<S> store, Function<? super S, Plan<S, R>> fn, int maxAttempts) {
    Objects.requireNonNull(ifMatch, "ifMatch");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(fn, "fn");
    requireAttempts(maxAttempts);
    return Mono.defer(() -> attempt(ifMatch, store, fn, store.snapshot(), maxAttempts));
  }

  private static <S, R extends @Nullable Object> Mono<Written<S, R>> attempt(
      IfMatch ifMatch,
      Store<S> store,
      Function<? super S, Plan<S, R>> fn,
      Snapshot<S> current,
      int attemptsLeft) {
    Plan<S, R> plan = Objects.requireNonNull(fn.apply(current.state()), "plan");
    if (!ifMatch.matches(VersionToken.of(current, store))) {
      return retry(refuseAsync(ifMatch, store, current), store, attemptsLeft,
          newer -> attempt(ifMatch, store, fn, newer, attemptsLeft - 1));
    }
    return store.async()
        .updateIfVersion(current.version(), plan.cause(), s -> plan.state())
        .flatMap(outcome -> outcome.applied()
            ? Mono.just(new Written<>(outcome.snapshot(), plan.result(),
                VersionToken.of(outcome.snapshot(), store)))
            : retry(Mono.just(outcome.snapshot()), store, attemptsLeft,
                newer -> attempt(ifMatch, store, fn, newer, attemptsLeft - 1)));
  }

  /**
   * {@link #commit}, without blocking: {@code ifVersion} is a non-blocking version-checked
   * operation, e.g. {@code v -> history.async().undoIfVersion(v, user)} ({@link
   * io.snapflux.store.AsyncHistory}). At most {@code maxAttempts} operations are made; after
   * that the {@code Mono} fails with {@link WriteContentionException} (503 with {@code
   * Retry-After}) naming the store. Lazy.
   *
   * @param ifMatch the request's precondition, from {@link #ifMatch(HttpHeaders)}
   * @param store the store
   * @param ifVersion the operation, applied only if the store is at the given version; may
   *     fail (or throw) to refuse the request
   * @param maxAttempts how many operations at most (at least 1), e.g. {@link
   *     #DEFAULT_MAX_ATTEMPTS}
   * @param <S> the type of the state
   * @return the snapshot of the outcome that applied; fails with {@link
   *     PreconditionFailedException} if {@code ifMatch} names no current version
   * @throws IllegalArgumentException if {@code maxAttempts} is below 1
   */
  public static <S> Mono<Snapshot<S>> commitAsync(
      IfMatch ifMatch,
      Store<S> store,
      LongFunction<? extends Mono<? extends Outcome<S>>> ifVersion,
      int maxAttempts) {
    Objects.requireNonNull(ifMatch, "ifMatch");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(ifVersion, "ifVersion");
    requireAttempts(maxAttempts);
    return Mono.defer(() -> commitAttempt(ifMatch, store, ifVersion, store.snapshot(), maxAttempts));
  }

  private static <S> Mono<Snapshot<S>> commitAttempt(
      IfMatch ifMatch,
      Store<S> store,
      LongFunction<? extends Mono<? extends Outcome<S>>> ifVersion,
      Snapshot<S> current,
      int attemptsLeft) {
    if (!ifMatch.matches(VersionToken.of(current, store))) {
      return retry(refuseAsync(ifMatch, store, current), store, attemptsLeft,
          newer -> commitAttempt(ifMatch, store, ifVersion, newer, attemptsLeft - 1));
    }
    return Mono.defer(() -> ifVersion.apply(current.version()))
        .flatMap(outcome -> outcome.applied()
            ? Mono.just(outcome.snapshot())
            : retry(Mono.just(outcome.snapshot()), store, attemptsLeft,
                newer -> commitAttempt(ifMatch, store, ifVersion, newer, attemptsLeft - 1)));
  }

  /** Plans again on {@code newer} while attempts are left; fails with {@link #exhausted} after. */
  private static <S, T> Mono<T> retry(Mono<Snapshot<S>> newer, Store<S> store, int attemptsLeft,
      Function<Snapshot<S>, Mono<T>> again) {
    return newer.flatMap(snapshot -> attemptsLeft <= 1
        ? Mono.error(exhausted(store, snapshot))
        : Mono.defer(() -> again.apply(snapshot)));
  }

  private static WriteContentionException exhausted(Store<?> store, Snapshot<?> newest) {
    return new WriteContentionException(store.name(), newest.version());
  }

  private static void requireAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
  }

  /** {@link #refuse}, through the store's non-blocking writes. */
  private static <S> Mono<Snapshot<S>> refuseAsync(
      IfMatch ifMatch, Store<S> store, Snapshot<S> current) {
    VersionToken token = VersionToken.of(current, store);
    long named = ifMatch.newestVersion(token.epoch());
    if (named < 0) {
      return Mono.error(ifMatch.failed(store.name(), token));
    }
    return store.async()
        .updateIfVersion(named, null, UnaryOperator.identity())
        .flatMap(outcome -> {
          VersionToken seen = VersionToken.of(outcome.snapshot(), store);
          return outcome.applied() && ifMatch.matches(seen)
              ? Mono.just(outcome.snapshot())
              : Mono.error(ifMatch.failed(store.name(), seen));
        });
  }

  /**
   * Refuses a precondition that the current version does not satisfy, through the store: a
   * version-checked write that changes nothing is made at the newest version of the current
   * epoch the precondition names, so the store refuses it as it refuses any stale write and
   * counts it ({@code StoreStats.versionConflicts}, the metrics' {@code
   * snapflux.store.version.conflicts} and {@code outcome=conflict}) on every backend.
   *
   * <p>If the store has reached the named version meantime (or a replica was behind the store
   * the client read from), that write applies and changes nothing, and the newer snapshot is
   * returned: the caller then plans again against it. Otherwise this throws 412. A precondition
   * that names no version of the current epoch (only weak, legacy or foreign tags) can never be
   * satisfied and is refused without a store call: it is no version conflict, and is not counted
   * as one.
   */
  private static <S> Snapshot<S> refuse(IfMatch ifMatch, Store<S> store, Snapshot<S> current) {
    VersionToken token = VersionToken.of(current, store);
    long named = ifMatch.newestVersion(token.epoch());
    Snapshot<S> seen = current;
    if (named >= 0) {
      Outcome<S> outcome = store.updateIfVersion(named, UnaryOperator.identity());
      if (outcome.applied() && ifMatch.matches(VersionToken.of(outcome.snapshot(), store))) {
        return outcome.snapshot();
      }
      seen = outcome.snapshot();
    }
    throw ifMatch.failed(store.name(), VersionToken.of(seen, store));
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
      if (!ifMatch.matches(VersionToken.of(current, store))) {
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
    Objects.requireNonNull(body, "body");
    return updateAsync(requestHeaders, store, cause, fn).map(committed -> {
      T value = body.apply(committed.state());
      String eTag = eTag(store, committed);
      return value == null
          ? ResponseEntity.<T>noContent().eTag(eTag).build()
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
