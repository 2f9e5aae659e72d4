package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;

/**
 * A subscriber's link to a store: demand accounting and a serialized drain loop, shared by the
 * conflated and lossless deliveries.
 *
 * <p>Every signal to the subscriber comes from {@link #drainLoop()}, which runs on exactly one
 * thread at a time (the work-in-progress counter {@code wip}); signals are therefore serialized
 * (Reactive Streams §1.3). The drain runs inline when the subscriber requests, and on its
 * delivery lane's worker after a commit; never on a writer.
 */
abstract class StoreSubscription<S> implements org.reactivestreams.Subscription {

  final CoreSubscriber<? super Snapshot<S>> actual;
  final AtomicStore<S> store;
  /** The delivery lane this subscription lives on; set by FanOut.add. */
  volatile @Nullable DeliveryLane<S> lane;

  volatile long requested;
  static final VarHandle REQUESTED;

  private volatile int wip;
  private static final VarHandle WIP;

  volatile boolean cancelled;

  /** 1 once the subscription has left the store; set exactly once. */
  private volatile int detached;
  private static final VarHandle DETACHED;

  /** A §3.9 violation to report, set by request() and signalled by the drain loop. */
  volatile @Nullable Throwable badRequest;

  /** The last version delivered (-1 before the first); written only by the drain loop. */
  volatile long deliveredVersion = -1;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      REQUESTED = l.findVarHandle(StoreSubscription.class, "requested", long.class);
      WIP = l.findVarHandle(StoreSubscription.class, "wip", int.class);
      DETACHED = l.findVarHandle(StoreSubscription.class, "detached", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  StoreSubscription(CoreSubscriber<? super Snapshot<S>> actual, AtomicStore<S> store) {
    this.actual = actual;
    this.store = store;
  }

  /**
   * Called by the subscription's delivery lane with the newest head: drains inline if there is
   * work; must be cheap (a few volatile reads) when there is none.
   */
  abstract void onHead(Snapshot<S> head);

  /** The drain body; runs with the work-in-progress counter held. */
  abstract void drainLoop();

  /** Whether this subscription delivers every version ({@link Delivery#lossless(int)}). */
  boolean isLossless() {
    return false;
  }

  /** How many heads this subscriber has yet to receive, if it is lossless; else 0. */
  long losslessLag(long headSeq) {
    return 0;
  }

  @Override
  public final void request(long n) {
    if (n <= 0) {
      badRequest = new IllegalArgumentException(
          "§3.9 violated: a subscriber of store '" + store.name()
              + "' requested " + n + "; requests must be positive");
    } else {
      addCap(n);
    }
    drain();
  }

  private void addCap(long n) {
    for (;;) {
      long r = (long) REQUESTED.getVolatile(this);
      if (r == Long.MAX_VALUE) {
        return;
      }
      long u = r + n;
      if (u < 0) {
        u = Long.MAX_VALUE;
      }
      if (REQUESTED.compareAndSet(this, r, u)) {
        return;
      }
    }
  }

  @Override
  public final void cancel() {
    if (!cancelled) {
      cancelled = true;
      detach();
      // The drain loop owns the references to snapshots: let it drop them (now, if
      // no drain is running; else at the top of the running drain's next pass).
      drain();
    }
  }

  /**
   * Leaves the store exactly once, whichever of cancel and terminate comes first: off its lane,
   * and uncounted (dropping its ring if it was the ring's last reader).
   */
  final void detach() {
    if (DETACHED.compareAndSet(this, 0, 1)) {
      store.fanOut.remove(this);
      store.leave(ring());
    }
  }

  /** The lossless ring this subscription reads, or null. */
  @Nullable Ring<S> ring() {
    return null;
  }

  /** Drains on the calling thread if no other thread is draining. */
  final void drain() {
    if ((int) WIP.getAndAdd(this, 1) == 0) {
      drainLoop();
    }
  }

  /**
   * Releases the work-in-progress units this pass accounted for.
   *
   * @return the units that arrived meanwhile; 0 means the loop must exit
   */
  final int leave(int missed) {
    return (int) WIP.getAndAdd(this, -missed) - missed;
  }

  /** Emits one snapshot; on a throwing subscriber, fails only this subscription. */
  final boolean emit(Snapshot<S> snapshot) {
    deliveredVersion = snapshot.version();
    try {
      actual.onNext(snapshot);
    } catch (Throwable t) {
      Exceptions.throwIfJvmFatal(t);
      terminate();
      signalError(Operators.onOperatorError(null, t, snapshot, actual.currentContext()));
      return false;
    }
    if (requested != Long.MAX_VALUE) {
      REQUESTED.getAndAdd(this, -1L);
    }
    return true;
  }

  /**
   * Handles cancellation and bad requests at the top of a drain pass.
   *
   * @return true if the subscription is over and the loop must stop
   */
  final boolean checkTerminated() {
    if (cancelled) {
      released();
      return true;
    }
    Throwable e = badRequest;
    if (e != null) {
      terminate();
      signalError(e);
      return true;
    }
    return false;
  }

  final void complete() {
    terminate();
    try {
      actual.onComplete();
    } catch (Throwable t) {
      dropped(t);
    }
  }

  /** The subscription's terminal error; if onError itself throws, that goes to the hook. */
  final void signalError(Throwable e) {
    try {
      actual.onError(e);
    } catch (Throwable t) {
      dropped(t);
    }
  }

  /**
   * What a subscriber threw where nothing can be signalled to it any more: to Reactor's
   * onErrorDropped hook (which logs it, once, by default); never further up, where it would stop
   * the lane or reach a writer.
   */
  final void dropped(Throwable t) {
    Exceptions.throwIfJvmFatal(t);
    Operators.onErrorDropped(t, actual.currentContext());
  }

  /** Ends the subscription from inside the drain loop: no more signals, nothing held. */
  final void terminate() {
    cancelled = true;
    detach();
    released();
  }

  /** Drops references to snapshots so a finished subscriber holds no memory. */
  void released() {}
}
