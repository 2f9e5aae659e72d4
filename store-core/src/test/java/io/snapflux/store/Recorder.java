package io.snapflux.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A test subscriber of snapshots that records every signal and checks the Reactive Streams
 * grammar as signals arrive: one onSubscribe, versions strictly increasing, nothing after a
 * terminal signal, at most one terminal signal. Tests wait on it ({@link #awaitVersion}, {@link
 * #awaitTerminal}) instead of sleeping.
 *
 * <p>A {@link CoreSubscriber}, so the store's own subscription is handed to it unwrapped.
 */
final class Recorder<S> implements CoreSubscriber<Snapshot<S>> {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final long initialRequest;
  private final @Nullable RuntimeException throwOnNext;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Long> versions = new CopyOnWriteArrayList<>();

  private volatile @Nullable Subscription subscription;
  private volatile @Nullable Throwable error;
  private volatile boolean completed;
  private volatile long last = -1;

  /** @param initialRequest what to request in onSubscribe; 0 for nothing */
  Recorder(long initialRequest) {
    this(initialRequest, null);
  }

  private Recorder(long initialRequest, @Nullable RuntimeException throwOnNext) {
    this.initialRequest = initialRequest;
    this.throwOnNext = throwOnNext;
  }

  /** A recorder that requests everything and throws {@code e} from every onNext it records. */
  static <S> Recorder<S> throwingOnNext(RuntimeException e) {
    return new Recorder<>(Long.MAX_VALUE, e);
  }

  /** A recorder that requests everything up front. */
  static <S> Recorder<S> unbounded() {
    return new Recorder<>(Long.MAX_VALUE);
  }

  @Override
  public void onSubscribe(Subscription s) {
    if (subscription != null) {
      violations.add("second onSubscribe");
    }
    subscription = s;
    if (initialRequest > 0) {
      s.request(initialRequest);
    }
  }

  @Override
  public void onNext(Snapshot<S> snapshot) {
    long v = snapshot.version();
    if (subscription == null) {
      violations.add("onNext before onSubscribe");
    }
    if (isTerminated()) {
      violations.add("onNext(" + v + ") after a terminal signal");
    }
    if (v <= last) {
      violations.add("version " + v + " after " + last);
    }
    versions.add(v);
    synchronized (this) {
      last = v;
      notifyAll();
    }
    if (throwOnNext != null) {
      throw throwOnNext;
    }
  }

  @Override
  public void onError(Throwable t) {
    if (isTerminated()) {
      violations.add("onError after a terminal signal: " + t);
    }
    synchronized (this) {
      error = t;
      notifyAll();
    }
  }

  @Override
  public void onComplete() {
    if (isTerminated()) {
      violations.add("onComplete after a terminal signal");
    }
    synchronized (this) {
      completed = true;
      notifyAll();
    }
  }

  void request(long n) {
    subscription().request(n);
  }

  void cancel() {
    subscription().cancel();
  }

  Subscription subscription() {
    Subscription s = subscription;
    if (s == null) {
      throw new IllegalStateException("not subscribed");
    }
    return s;
  }

  boolean isTerminated() {
    return completed || error != null;
  }

  boolean completed() {
    return completed;
  }

  @Nullable Throwable error() {
    return error;
  }

  /** The last version received, -1 if none. */
  long last() {
    return last;
  }

  List<Long> versions() {
    return List.copyOf(versions);
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  /** Waits until a version at least {@code version} arrives or the stream ends. */
  boolean awaitVersion(long version) throws InterruptedException {
    return await(() -> last >= version || isTerminated()) && last >= version;
  }

  /** Waits until onComplete or onError arrives. */
  boolean awaitTerminal() throws InterruptedException {
    return await(this::isTerminated);
  }

  private synchronized boolean await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  @Override
  public String toString() {
    return "Recorder{versions=" + versions + ", completed=" + completed + ", error=" + error
        + ", violations=" + violations + "}";
  }
}
