package io.snapflux.store;

import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Everything a {@link StoreBuilder} was told, as one immutable value: what every {@link Backend}
 * receives, the same way, to create a store.
 *
 * <p>Applications configure a store with {@link Store#builder(Object)}; backends read this value
 * and never a builder. A durable or shared backend that restores a store at a state kept
 * elsewhere uses {@link #startingAt(Snapshot)}, which keeps the application's rules, equivalence,
 * clock and delivery settings.
 *
 * <pre>
 * Implementation notes. One value instead of getters on the builder (issue 13): the builder
 * stays setters only, as Caffeine's Caffeine builder does, and a backend cannot observe a builder
 * half-way through configuration. It is a record so that a backend can copy it with one field
 * changed (the with... methods) without a second builder ("restoring") that must list every
 * field again.
 * </pre>
 *
 * @param name the store's name
 * @param type the declared type of the state: backends that encode states use it, never the
 *     initial state's runtime class (a Vavr {@code List.empty()} is a {@code List$Nil})
 * @param initial the state at {@code initialVersion}
 * @param initialVersion the version of the initial state
 * @param initialCause the cause of the initial snapshot, or {@code null}
 * @param initialTimestampMillis the timestamp of the initial snapshot, or {@code -1} to read the
 *     clock when the store is created
 * @param epoch the epoch of the store's versions, or {@code null} for a new random one (see
 *     {@link Snapshot#epoch()})
 * @param rules the validators and interceptors
 * @param equivalence how "no change" is detected
 * @param backoff how updates wait after losing a compare-and-set race
 * @param clock the clock that timestamps commits
 * @param deliveryScheduler where snapshots are delivered to subscribers
 * @param deliveryLanes how many delivery lanes
 * @param historySize how many recent versions the store keeps (0: no history capability)
 * @param <S> the type of the state
 */
public record StoreOptions<S>(
    String name,
    TypeRef<S> type,
    S initial,
    long initialVersion,
    @Nullable Object initialCause,
    long initialTimestampMillis,
    @Nullable String epoch,
    CommitRules<S> rules,
    Equivalence<S> equivalence,
    Backoff backoff,
    Clock clock,
    Scheduler deliveryScheduler,
    int deliveryLanes,
    int historySize) {

  /** Checks the fields: the same limits as the builder's setters. */
  public StoreOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(initial, "the initial state of a store is never null");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(equivalence, "equivalence");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(deliveryScheduler, "deliveryScheduler");
    if (initialVersion < 0) {
      throw new IllegalArgumentException("initialVersion must be >= 0, was " + initialVersion);
    }
    if (deliveryLanes < 1 || deliveryLanes > 1024) {
      throw new IllegalArgumentException("lanes must be in 1..1024, was " + deliveryLanes);
    }
    if (historySize < 0 || historySize > 1_000_000) {
      throw new IllegalArgumentException(
          "history size must be in 0..1000000, was " + historySize);
    }
  }

  /**
   * These options, starting the store exactly at {@code snapshot}: its state, version, cause,
   * timestamp and (unless it has none) epoch. Durable and shared backends restore a store with it.
   *
   * @param snapshot where the store starts
   * @return a copy; this value is unchanged
   */
  public StoreOptions<S> startingAt(Snapshot<S> snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    String e = snapshot.epoch().isEmpty() ? epoch : snapshot.epoch();
    return new StoreOptions<>(name, type, snapshot.state(), snapshot.version(), snapshot.cause(),
        snapshot.timestampMillis(), e, rules, equivalence, backoff, clock, deliveryScheduler,
        deliveryLanes, historySize);
  }

  /**
   * These options with other commit rules (e.g. {@link CommitRules#withoutAfterCommit()}).
   *
   * @param rules the validators and interceptors
   * @return a copy; this value is unchanged
   */
  public StoreOptions<S> withRules(CommitRules<S> rules) {
    return new StoreOptions<>(name, type, initial, initialVersion, initialCause,
        initialTimestampMillis, epoch, rules, equivalence, backoff, clock, deliveryScheduler,
        deliveryLanes, historySize);
  }

  /**
   * These options with another epoch.
   *
   * @param epoch the epoch of the store's versions, or {@code null} for a new random one
   * @return a copy
   */
  public StoreOptions<S> withEpoch(@Nullable String epoch) {
    return new StoreOptions<>(name, type, initial, initialVersion, initialCause,
        initialTimestampMillis, epoch, rules, equivalence, backoff, clock, deliveryScheduler,
        deliveryLanes, historySize);
  }

  /**
   * These options with another name.
   *
   * @param name the store's name
   * @return a copy
   */
  public StoreOptions<S> withName(String name) {
    return new StoreOptions<>(name, type, initial, initialVersion, initialCause,
        initialTimestampMillis, epoch, rules, equivalence, backoff, clock, deliveryScheduler,
        deliveryLanes, historySize);
  }

  /**
   * These options with another delivery scheduler and lane count.
   *
   * @param scheduler where snapshots are delivered
   * @param lanes how many lanes, 1 to 1,024
   * @return a copy
   */
  public StoreOptions<S> withDelivery(Scheduler scheduler, int lanes) {
    return new StoreOptions<>(name, type, initial, initialVersion, initialCause,
        initialTimestampMillis, epoch, rules, equivalence, backoff, clock, scheduler, lanes,
        historySize);
  }

  /**
   * These options without history (a store made from them has no history capability).
   *
   * @return a copy
   */
  public StoreOptions<S> withoutHistory() {
    return new StoreOptions<>(name, type, initial, initialVersion, initialCause,
        initialTimestampMillis, epoch, rules, equivalence, backoff, clock, deliveryScheduler,
        deliveryLanes, 0);
  }
}
