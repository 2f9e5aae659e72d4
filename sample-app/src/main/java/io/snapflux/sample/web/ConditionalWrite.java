package io.snapflux.sample.web;

import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.function.Function;

/**
 * A write planned against one snapshot and committed only if the store is still at that snapshot's
 * version: the HTTP {@code If-Match} → {@link Store#updateIfVersion} mapping.
 *
 * <p>The plan sees a snapshot and returns the next state, the cause to record and a result for the
 * response (whether the flag was created, say). It may throw to refuse the request (404, 400);
 * then nothing is committed. Because the plan runs on a fixed snapshot, what it reports is exactly
 * what was committed, which an update function retried by the store could not promise.
 *
 * <p>With a version in {@code If-Match}, a lost race is the client's conflict: 412, nothing
 * changed. Without one (or with {@code *}) the write is unconditional and is planned again on the
 * newer snapshot; it only loses when another write won, so the loop is lock-free.
 */
public final class ConditionalWrite {

  private ConditionalWrite() {}

  /**
   * What a plan wants committed.
   *
   * @param state the next state; the snapshot's own state instance means "no change"
   * @param cause recorded with the new version
   * @param result what the caller gets back
   */
  public record Plan<S, R>(S state, Object cause, R result) {}

  /**
   * What was committed.
   *
   * @param snapshot the committed snapshot (the current one when the plan changed nothing)
   * @param result the plan's result
   */
  public record Written<S, R>(Snapshot<S> snapshot, R result) {}

  /**
   * Plans and commits one write.
   *
   * @throws PreconditionFailedException if {@code ifMatch} does not match the version committed to
   */
  public static <S, R> Written<S, R> commit(
      Store<S> store, Preconditions.IfMatch ifMatch, Function<Snapshot<S>, Plan<S, R>> planner) {
    for (;;) {
      Snapshot<S> current = store.snapshot();
      Plan<S, R> plan = planner.apply(current);
      if (!ifMatch.matches(current.version())) {
        throw new PreconditionFailedException(ifMatch.header(), current.version());
      }
      S next = plan.state();
      Outcome<S> outcome = store.updateIfVersion(current.version(), plan.cause(), s -> next);
      if (outcome.applied()) {
        return new Written<>(outcome.snapshot(), plan.result());
      }
      if (!ifMatch.any()) {
        throw new PreconditionFailedException(ifMatch.header(), outcome.snapshot().version());
      }
    }
  }
}
