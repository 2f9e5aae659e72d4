package io.snapflux.store;

import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A local copy of a store whose versions are decided elsewhere: the building block of shared
 * backends (a Redis-backed store keeps one per application instance) and of durable ones.
 *
 * <p>A replica offers what {@link Store} offers to readers and subscribers (wait-free {@link
 * #snapshot()}, conflated and lossless {@link #changes(Delivery)}) but no update functions:
 * the owner feeds it committed snapshots with {@link #advance(Snapshot)}. Versions must grow; a
 * snapshot that is not newer than the current one is ignored. A version that jumps forward (the
 * owner missed some) reaches lossless subscribers as a visible gap.
 *
 * <p>Thread-safe; {@code advance} is lock-free and, like a store update, never waits for
 * subscribers.
 *
 * @param <S> the type of the state
 */
public final class Replica<S> implements AutoCloseable {

  private final AtomicStore<S> store;

  private Replica(AtomicStore<S> store) {
    this.store = store;
  }

  /**
   * A replica starting at {@code initial}.
   *
   * @param name the store's name
   * @param initial the first known snapshot
   * @param deliveryScheduler where snapshots are fanned out to subscribers
   * @param <S> the type of the state
   * @return the replica
   */
  public static <S> Replica<S> of(String name, Snapshot<S> initial, Scheduler deliveryScheduler) {
    Objects.requireNonNull(initial, "initial");
    StoreOptions<S> o = new StoreBuilder<>(initial.state())
        .name(name)
        .deliverOn(deliveryScheduler)
        .options()
        .startingAt(initial);
    return new Replica<>(new AtomicStore<>(o));
  }

  /** The newest snapshot this replica knows. Wait-free. */
  public Snapshot<S> snapshot() {
    return store.snapshot();
  }

  /**
   * Installs {@code next} if it is newer than the current snapshot.
   *
   * @param next a snapshot committed by the owner
   * @return whether it was installed
   * @throws StoreClosedException if the replica is closed
   */
  public boolean advance(Snapshot<S> next) {
    return store.advance(Objects.requireNonNull(next, "next"));
  }

  /**
   * The replica's snapshots, as {@link Store#changes(Delivery)} describes.
   *
   * @param delivery conflated or lossless
   * @return a hot stream of snapshots
   */
  public Flux<Snapshot<S>> changes(Delivery delivery) {
    return store.changes(delivery);
  }

  /** Counters about the replica's subscribers and version. */
  public StoreStats stats() {
    return store.stats();
  }

  /** Whether the replica has been closed. */
  public boolean isClosed() {
    return store.isClosed();
  }

  /** Closes the replica: subscribers receive the final snapshot and complete. */
  @Override
  public void close() {
    store.close();
  }
}
