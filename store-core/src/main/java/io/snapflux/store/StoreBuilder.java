package io.snapflux.store;

import io.vavr.collection.Vector;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Builds an in-memory {@link Store}. Obtain one with {@link Store#builder(Object)}.
 *
 * <p>A builder is not thread-safe; a built store is.
 *
 * @param <S> the type of the state
 */
public final class StoreBuilder<S> {

  private static final AtomicLong ANONYMOUS = new AtomicLong();

  final S initial;
  String name;
  Vector<CommitRules.Validator<S>> validators = Vector.empty();
  Equivalence<S> equivalence = Equivalence.identity();
  Backoff backoff = Backoff.defaults();
  Scheduler deliveryScheduler = Schedulers.parallel();
  int deliveryLanes = Schedulers.DEFAULT_POOL_SIZE;
  Clock clock = Clock.systemUTC();
  long initialVersion;
  int historySize;
  Vector<Interceptor<S>> interceptors = Vector.empty();
  @Nullable TypeRef<S> type;
  Backend backend = Backend.memory();

  StoreBuilder(S initial) {
    this.initial = Objects.requireNonNull(initial, "the initial state of a store is never null");
    this.name = "store-" + ANONYMOUS.incrementAndGet();
  }

  /**
   * Names the store (for error messages, metrics, logs). Defaults to {@code store-N}.
   *
   * @param name a non-blank name
   * @return this builder
   */
  public StoreBuilder<S> name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a store name must not be blank");
    }
    this.name = name;
    return this;
  }

  /**
   * Adds a validator: every state about to be committed must satisfy {@code check}, or the update
   * fails with a {@link StateValidationException} naming {@code description} and nothing is
   * committed. Validators run in the order added, once per update attempt, and must be
   * side-effect-free. The initial state is validated by {@link #build()}.
   *
   * @param description what the validator requires, e.g. {@code "balance must not be negative"}
   * @param check the pure condition
   * @return this builder
   */
  public StoreBuilder<S> validator(String description, Predicate<? super S> check) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(check, "check");
    validators = validators.append(new CommitRules.Validator<>(description, check));
    return this;
  }

  /**
   * How an update's result is compared with the current state to detect "no change". Defaults to
   * {@link Equivalence#identity()}.
   *
   * @param equivalence the policy
   * @return this builder
   */
  public StoreBuilder<S> equivalence(Equivalence<S> equivalence) {
    this.equivalence = Objects.requireNonNull(equivalence, "equivalence");
    return this;
  }

  /**
   * How updates wait after losing a compare-and-set race. Defaults to {@link Backoff#defaults()}.
   *
   * @param backoff the policy
   * @return this builder
   */
  public StoreBuilder<S> backoff(Backoff backoff) {
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    return this;
  }

  /**
   * The scheduler on whose workers snapshots are delivered to subscribers after a commit, with
   * one delivery lane per processor. Defaults to {@link Schedulers#parallel()}.
   *
   * @param scheduler the delivery scheduler
   * @return this builder
   * @see #deliverOn(Scheduler, int)
   */
  public StoreBuilder<S> deliverOn(Scheduler scheduler) {
    return deliverOn(scheduler, Schedulers.DEFAULT_POOL_SIZE);
  }

  /**
   * The scheduler on whose workers snapshots are delivered to subscribers after a commit, and
   * how many delivery lanes to use. Each lane is one worker of {@code scheduler}; subscribers are
   * assigned to lanes round-robin, and a lane delivers to its subscribers one after another. A
   * writer never waits for a lane; a subscriber that is slow in {@code onNext} delays only the
   * subscribers of its own lane. Subscribers that block must {@code publishOn} a
   * blocking-friendly scheduler, as with any Reactor source.
   *
   * @param scheduler the delivery scheduler
   * @param lanes how many lanes, 1 to 1,024 (by default, the number of processors)
   * @return this builder
   */
  public StoreBuilder<S> deliverOn(Scheduler scheduler, int lanes) {
    if (lanes < 1 || lanes > 1024) {
      throw new IllegalArgumentException("lanes must be in 1..1024, was " + lanes);
    }
    this.deliveryScheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.deliveryLanes = lanes;
    return this;
  }

  /**
   * The clock that timestamps committed snapshots, read once per update (at its first attempt
   * that commits something, not on every retry). Defaults to {@link Clock#systemUTC()}.
   *
   * @param clock the clock
   * @return this builder
   */
  public StoreBuilder<S> clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Keeps the last {@code size} snapshots and gives the store the {@link History} capability
   * ({@link Store#history()}): {@link History#versions()}, {@link History#at(long)}, undo and
   * redo (at least {@code size} undo steps, at most twice that). History is per store; structural sharing makes each
   * entry cost only what its version changed. Defaults to 0: no history capability.
   *
   * @param size how many recent versions to keep, 0 to 1,000,000
   * @return this builder
   */
  public StoreBuilder<S> history(int size) {
    if (size < 0 || size > 1_000_000) {
      throw new IllegalArgumentException("history size must be in 0..1000000, was " + size);
    }
    this.historySize = size;
    return this;
  }

  /**
   * Adds an interceptor around commits; interceptors run in the order added, after the
   * validators. See {@link Interceptor} for what each callback may do.
   *
   * @param interceptor the interceptor
   * @return this builder
   */
  public StoreBuilder<S> interceptor(Interceptor<S> interceptor) {
    interceptors = interceptors.append(Objects.requireNonNull(interceptor, "interceptor"));
    return this;
  }

  /**
   * Builds a store whose changes are actions: {@link ActionStore#dispatch(Object)} commits {@code
   * reducer.apply(state, action)} through the same compare-and-set loop as any update, with the
   * action as the snapshot's cause.
   *
   * @param reducer a pure function from state and action to the next state
   * @param <A> the type of the actions
   * @return a new store
   */
  public <A> ActionStore<S, A> build(Reducer<S, A> reducer) {
    return new ReducingStore<>(build(), Objects.requireNonNull(reducer, "reducer"));
  }

  /**
   * The version of the initial state; {@code 0} unless the store continues a history kept
   * elsewhere, e.g. when a durable backend restores a store at the version it had persisted.
   *
   * @param version zero or more
   * @return this builder
   */
  public StoreBuilder<S> initialVersion(long version) {
    if (version < 0) {
      throw new IllegalArgumentException("initialVersion must be >= 0, was " + version);
    }
    this.initialVersion = version;
    return this;
  }

  /**
   * The declared type of the state, generics included (e.g. {@code new TypeRef<List<Todo>>()
   * {}}): backends that encode states (file, Redis) use it, never the initial state's runtime
   * class, which for a Vavr {@code List.empty()} is {@code List$Nil}. Defaults to the initial
   * state's class, which is right for records and final classes.
   *
   * @param type the state type; the initial state must be an instance of it
   * @return this builder
   * @throws IllegalArgumentException if the initial state is not an instance of {@code type}
   */
  public StoreBuilder<S> type(TypeRef<S> type) {
    Objects.requireNonNull(type, "type").requireInstance(initial);
    this.type = type;
    return this;
  }

  /**
   * Where the store keeps its versions. Defaults to {@link Backend#memory()}.
   *
   * @param backend the backend, e.g. {@code FileStore.backend(dir)} of store-file
   * @return this builder
   */
  public StoreBuilder<S> backend(Backend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    return this;
  }

  /**
   * Builds the store with the chosen {@linkplain #backend(Backend) backend} (in memory by
   * default), at its initial version (0 by default) with the initial state, or at the state the
   * backend keeps.
   *
   * @return a new store
   * @throws StateValidationException if the initial state fails a validator
   */
  public Store<S> build() {
    return backend.create(options());
  }

  /** Everything this builder was told, as the value every backend receives. */
  StoreOptions<S> options() {
    @SuppressWarnings("unchecked")
    TypeRef<S> t = type != null ? type : (TypeRef<S>) TypeRef.of(initial.getClass());
    return new StoreOptions<>(name, t, initial, initialVersion, null, -1, null,
        new CommitRules<>(validators, interceptors), equivalence, backoff, clock,
        deliveryScheduler, deliveryLanes, historySize);
  }
}
