package io.snapflux.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A {@link Publisher} of exactly {@code elements} values of a store's stream, then completion, for
 * the Reactive Streams TCK.
 *
 * <p>A store's streams are hot and never end while the store is open, so each subscriber gets a
 * fresh store at version 0 and a driver that commits the next version (state + 1) only when the
 * subscriber can take it without losing it: within {@code window} versions of what it has
 * received (1 for a conflated stream, where a second undelivered commit would conflate the first
 * away; up to maxLag for a lossless one). When version {@code elements - 1} is committed the
 * driver closes the store, and the store itself delivers what it still owes and completes.
 *
 * <p>The driver is a pass-through {@link CoreSubscriber}, so Reactor hands the store's own
 * {@link Subscription} to the TCK's subscriber unwrapped: demand, cancellation, §3.9 errors,
 * serialization and completion under test are the store's, not an operator's. The TCK's
 * subscriber sees every signal exactly as the store emits it; the driver only watches {@code
 * onNext} to decide when to commit. It takes no part in delivery.
 *
 * <p>Snapshots are timestamped by a fixed clock, so stores driven the same way emit equal
 * snapshots (the TCK's multi-subscriber rules compare elements).
 */
final class DrivenStorePublisher<T> implements Publisher<T> {

  static final Clock FIXED_CLOCK = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  private final long elements;
  private final long window;
  private final Function<Store<Integer>, Flux<T>> stream;

  /**
   * @param elements how many values each subscriber receives before completion (at least 1: a
   *     store's streams always start with the current value)
   * @param window how many versions the driver may commit ahead of what the subscriber received
   * @param stream the stream of a store under test, e.g. {@code Store::changes}
   */
  DrivenStorePublisher(long elements, long window, Function<Store<Integer>, Flux<T>> stream) {
    if (elements < 1 || window < 1) {
      throw new IllegalArgumentException("elements and window must be >= 1");
    }
    this.elements = elements;
    this.window = window;
    this.stream = stream;
  }

  static Store<Integer> freshStore() {
    return Store.builder(0).name("tck").clock(FIXED_CLOCK).build();
  }

  @Override
  public void subscribe(Subscriber<? super T> subscriber) {
    if (subscriber == null) {
      // Hand the null to the store's stream, whose subscribe() must throw (§1.9).
      stream.apply(freshStore()).subscribe((Subscriber<? super T>) null);
      return;
    }
    Store<Integer> store = freshStore();
    Driver<T> driver = new Driver<>(subscriber, store, elements, window);
    stream.apply(store).subscribe(driver);
    driver.drive();
  }

  /** Watches deliveries and commits the next versions when they can be delivered. */
  private static final class Driver<T> implements CoreSubscriber<T> {

    private final Subscriber<? super T> actual;
    private final Store<Integer> store;
    private final long lastVersion;
    private final long window;

    // Guarded by this: drive() runs on the subscribing thread and in onNext (a delivery worker).
    // The lock is the test driver's, held around store calls that never call subscribers back.
    private long received;
    private long committed;
    private boolean closed;

    Driver(Subscriber<? super T> actual, Store<Integer> store, long elements, long window) {
      this.actual = actual;
      this.store = store;
      this.lastVersion = elements - 1;
      this.window = window;
    }

    @Override
    public void onSubscribe(Subscription s) {
      actual.onSubscribe(s);
    }

    @Override
    public void onNext(T t) {
      actual.onNext(t);
      synchronized (this) {
        received++;
      }
      drive();
    }

    @Override
    public void onError(Throwable t) {
      actual.onError(t);
    }

    @Override
    public void onComplete() {
      actual.onComplete();
    }

    synchronized void drive() {
      // Versions 0..committed exist; 0..received-1 were delivered. Keep the lag within window.
      while (committed < lastVersion && committed < received + window - 1) {
        store.update(s -> s + 1);
        committed++;
      }
      if (committed == lastVersion && !closed) {
        closed = true;
        store.close();
      }
    }
  }
}
