package io.snapflux.store;

import io.vavr.collection.Vector;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A store's validators and interceptors, in the order they were added to its {@link
 * StoreBuilder}: what every commit of that store must pass before it happens and what runs once
 * after. The in-memory store applies them in its update loop; backends that commit elsewhere
 * (Redis, a file) receive them in {@link StoreOptions#rules()} and apply them through {@link CommitPipeline}, the same
 * way, so an application's rules hold whatever the backend.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <S> the type of the state
 */
public final class CommitRules<S> {

  private static final Logger LOG = Loggers.getLogger(CommitRules.class);

  private final Vector<Validator<S>> validators;
  private final Vector<Interceptor<S>> interceptors;
  /** Whether {@link #committed} runs the interceptors (false: the backend runs them later). */
  private final boolean runsAfterCommit;

  /**
   * A validator: a description of what it requires and the pure condition.
   *
   * @param description what the validator requires, as shown in errors
   * @param check the condition every committed state must satisfy
   * @param <S> the type of the state
   */
  public record Validator<S>(String description, Predicate<? super S> check) {

    /** Checks the fields. */
    public Validator {
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(check, "check");
    }
  }

  CommitRules(Vector<Validator<S>> validators, Vector<Interceptor<S>> interceptors) {
    this(validators, interceptors, true);
  }

  private CommitRules(Vector<Validator<S>> validators, Vector<Interceptor<S>> interceptors,
      boolean runsAfterCommit) {
    this.validators = validators;
    this.interceptors = interceptors;
    this.runsAfterCommit = runsAfterCommit;
  }

  /**
   * The same validators and {@code beforeCommit}s, with {@link #committed} doing nothing: for a
   * backend whose commit is not yet its acknowledgement, which runs {@code afterCommit} itself,
   * with the full rules, once a version is acknowledged. The file store in SYNC mode builds its
   * pending in-memory store with these rules and runs {@code afterCommit} when a version is
   * durable and visible, so an interceptor never sees a version whose write then fails.
   *
   * @return rules that never run {@code afterCommit}
   */
  public CommitRules<S> withoutAfterCommit() {
    return runsAfterCommit ? new CommitRules<>(validators, interceptors, false) : this;
  }

  /** The validators, in order. */
  public Vector<Validator<S>> validators() {
    return validators;
  }

  /** The interceptors, in order. */
  public Vector<Interceptor<S>> interceptors() {
    return interceptors;
  }

  /**
   * Runs the validators, then the interceptors' {@link Interceptor#beforeCommit}, on a state about
   * to be committed. Call it once per attempt, before the attempt's compare-and-set.
   *
   * @param storeName the store, for error messages
   * @param current the snapshot the change applies to
   * @param proposed the state about to be committed
   * @param cause the change's cause, or {@code null}
   * @throws StateValidationException if a validator rejects {@code proposed} or throws
   * @throws RuntimeException whatever an interceptor throws to veto the change
   */
  public void check(String storeName, Snapshot<S> current, S proposed, @Nullable Object cause) {
    validate(storeName, proposed);
    for (Interceptor<S> i : interceptors) {
      try {
        i.beforeCommit(current, proposed, cause);
      } catch (CommitVetoedException e) {
        // An interceptor does not know the store's name: the store names itself.
        throw e.storeName().isEmpty()
            ? new CommitVetoedException(storeName, e.getMessage(), e) : e;
      }
    }
  }

  /**
   * Runs the validators alone (the initial state of a store, a restored state).
   *
   * @param storeName the store, for error messages
   * @param state the state
   * @throws StateValidationException if a validator rejects {@code state} or throws
   */
  public void validate(String storeName, S state) {
    for (Validator<S> v : validators) {
      boolean valid;
      try {
        valid = v.check().test(state);
      } catch (RuntimeException e) {
        throw new StateValidationException(storeName, v.description(), e);
      }
      if (!valid) {
        throw new StateValidationException(storeName, v.description(), null);
      }
    }
  }

  /**
   * Runs the interceptors' {@link Interceptor#afterCommit} once for a committed version; a
   * failing one is logged and the others still run (the commit stands).
   *
   * @param storeName the store, for log messages
   * @param previous the snapshot the change replaced
   * @param committed the committed snapshot
   */
  public void committed(String storeName, Snapshot<S> previous, Snapshot<S> committed) {
    if (!runsAfterCommit) {
      return;
    }
    for (Interceptor<S> i : interceptors) {
      try {
        i.afterCommit(previous, committed);
      } catch (RuntimeException e) {
        LOG.warn("store '" + storeName + "': afterCommit of " + i + " failed for version "
            + committed.version() + "; the commit stands", e);
      }
    }
  }
}
