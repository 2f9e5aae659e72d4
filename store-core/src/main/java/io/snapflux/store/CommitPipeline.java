package io.snapflux.store;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The commit attempt every backend shares: version check, apply, no-change detection ({@link
 * Equivalence}), validators, interceptors' {@code beforeCommit}, the counters of {@link
 * StoreStats}, and the one place that runs {@code afterCommit}. A backend only decides how it
 * compares-and-sets (a CAS on a reference, a Lua script on Redis) and how it publishes.
 *
 * <p>A backend's update loop, in outline:
 *
 * <pre>{@code
 * for (int retry = 0; ; retry++) {
 *   Snapshot<S> current = ...;                            // the base of this attempt
 *   if (!pipeline.atVersion(current, expected)) return conflict;
 *   S next = pipeline.apply(current, fn, null, cause);    // may throw: nothing committed
 *   if (next == current.state()) return current;          // no change: no version
 *   if (compareAndSet(current, next)) { pipeline.committed(current, committed); return ...; }
 *   pipeline.retried();
 * }
 * }</pre>
 *
 * <pre>
 * Implementation notes. The pipeline allocates nothing per attempt: apply() returns the state
 * itself, and the very base state (same reference) to say "equivalent, commit nothing", so the
 * in-memory hot path stays a read, a call of the update function, and a CAS. There used to be
 * three copies of this attempt (the memory store's update and undo/redo loops, Redis's), each
 * with its own version check and counters (issue 13).
 * </pre>
 *
 * <p>Thread-safe.
 *
 * @param <S> the type of the state
 */
public final class CommitPipeline<S> {

  /** The expected version that means "whatever the current version is". */
  public static final long ANY_VERSION = -1;

  private final String storeName;
  private final CommitRules<S> rules;
  private final Equivalence<S> equivalence;
  /** Whether any validator or interceptor exists: the fast path skips both when not. */
  private final boolean checks;
  private final boolean afterCommitHooks;

  private final LongAdder casRetries = new LongAdder();
  private final LongAdder versionConflicts = new LongAdder();
  private final LongAdder validationRejections = new LongAdder();

  /**
   * A pipeline applying the rules and equivalence of {@code options}.
   *
   * @param options the store's options
   */
  public CommitPipeline(StoreOptions<S> options) {
    this.storeName = options.name();
    this.rules = options.rules();
    this.equivalence = options.equivalence();
    this.checks = !rules.validators().isEmpty() || !rules.interceptors().isEmpty();
    this.afterCommitHooks = !rules.interceptors().isEmpty();
  }

  /**
   * Checks a caller's expected version: versions start at 0.
   *
   * @param expectedVersion the version a caller passed
   * @return {@code expectedVersion}
   * @throws IllegalArgumentException if it is negative
   */
  public static long requireVersion(long expectedVersion) {
    if (expectedVersion < 0) {
      throw new IllegalArgumentException(
          "expectedVersion must be >= 0 (versions start at 0), was " + expectedVersion);
    }
    return expectedVersion;
  }

  /**
   * Validates a store's initial (or restored) state.
   *
   * @param state the state
   * @throws StateValidationException if a validator rejects it
   */
  public void validateInitial(S state) {
    rules.validate(storeName, state);
  }

  /**
   * The version check of an attempt; counts a version conflict when it fails.
   *
   * @param base the snapshot the attempt builds on
   * @param expectedVersion the caller's expected version, or {@link #ANY_VERSION}
   * @return whether the attempt may go on
   */
  public boolean atVersion(Snapshot<S> base, long expectedVersion) {
    if (expectedVersion != ANY_VERSION && base.version() != expectedVersion) {
      versionConflicts.increment();
      return false;
    }
    return true;
  }

  /**
   * Applies {@code fn} (or takes {@code constant} when {@code fn} is null) to {@code base}, and
   * checks the result: not null; equivalent to the base state (then returns the base state
   * itself, the same reference, so the caller commits nothing); validators; interceptors'
   * {@code beforeCommit}.
   *
   * @param base the snapshot the attempt builds on
   * @param fn the update function, or {@code null}
   * @param constant the state to commit when {@code fn} is {@code null}
   * @param cause the change's cause, or {@code null}
   * @return the state to commit, or {@code base.state()} (same reference) for "no change"
   * @throws NullPointerException if the result is null
   * @throws StateValidationException if a validator rejects the result
   * @throws RuntimeException whatever {@code fn} or an interceptor threw
   */
  public S apply(Snapshot<S> base, @Nullable UnaryOperator<S> fn, @Nullable S constant,
      @Nullable Object cause) {
    S state = base.state();
    S next = fn == null ? constant : fn.apply(state);
    if (next == null) {
      throw new NullPointerException(nullStateMessage(fn == null ? "compareAndSet"
          : "the update function"));
    }
    if (equivalence.equivalent(state, next)) {
      return state;
    }
    if (checks) {
      check(base, next, cause);
    }
    return next;
  }

  /**
   * Validators, then the interceptors' {@code beforeCommit}, on a state about to be committed
   * without an update function (an undo, a redo); counts a rejection.
   *
   * @param base the snapshot the change applies to
   * @param next the state about to be committed
   * @param cause the change's cause, or {@code null}
   * @throws StateValidationException if a validator rejects {@code next}
   */
  public void check(Snapshot<S> base, S next, @Nullable Object cause) {
    try {
      rules.check(storeName, base, next, cause);
    } catch (StateValidationException e) {
      validationRejections.increment();
      throw e;
    }
  }

  /** Counts a lost compare-and-set race (the attempt will be made again). */
  public void retried() {
    casRetries.increment();
  }

  /**
   * The one place {@code afterCommit} runs: once per version this store committed, after its
   * compare-and-set. A failing interceptor is logged; the commit stands.
   *
   * @param previous the snapshot the commit replaced
   * @param committed the committed snapshot
   */
  public void committed(Snapshot<S> previous, Snapshot<S> committed) {
    if (afterCommitHooks) {
      rules.committed(storeName, previous, committed);
    }
  }

  /**
   * The message of a null state.
   *
   * @param who what returned null
   * @return the message, naming the store
   */
  public String nullStateMessage(String who) {
    return who + " returned null: a Snapflux state is never null (store '" + storeName + "')";
  }

  /**
   * The counters, with the version and subscriber figures the backend knows.
   *
   * @param version the current version
   * @param subscribers live subscribers
   * @param losslessSubscribers how many of them are lossless
   * @param maxLosslessLag the largest lag of a lossless subscriber
   * @param lagOverflows lossless subscribers failed for lag
   * @return the statistics
   */
  public StoreStats stats(long version, int subscribers, int losslessSubscribers,
      long maxLosslessLag, long lagOverflows) {
    return new StoreStats(version, casRetries.sum(), versionConflicts.sum(),
        validationRejections.sum(), subscribers, losslessSubscribers, maxLosslessLag,
        lagOverflows);
  }
}
