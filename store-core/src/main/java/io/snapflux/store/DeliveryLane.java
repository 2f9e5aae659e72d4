package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One of a store's delivery lanes: a worker of the delivery scheduler and the subscriptions
 * assigned to it (round-robin). After a commit the store's {@link FanOut} signals each lane that
 * has subscriptions; the lane's task then walks its subscriptions and drains, inline, those that
 * have work.
 *
 * <p>Why lanes rather than one task per subscription: a task per subscription and commit round
 * meant an executor submission, a wake-up and a task object per subscriber; the benchmarks'
 * 10,000-subscriber fan-out spent its time there. A lane does the same deliveries in one task.
 * A slow subscriber delays only the subscribers of its own lane, never writers or other lanes; a
 * subscriber that throws from any signal is failed alone, and the lane goes on (a throw escaping
 * a round is caught here as a last resort, so the work-in-progress count is always released).
 */
final class DeliveryLane<S> implements Runnable {

  @SuppressWarnings("rawtypes")
  private static final StoreSubscription[] EMPTY = new StoreSubscription[0];

  private final AtomicStore<S> store;
  private final Scheduler.Worker worker;
  /**
   * Whether rounds may be paced by delayed tasks: only on a scheduler whose time is the wall
   * clock. Schedulers.immediate() cannot delay, and a virtual-time scheduler (StepVerifier's)
   * would hold a paced round until the test advances time.
   */
  private final boolean timed;

  private volatile StoreSubscription<S>[] subscriptions;
  private static final VarHandle SUBSCRIPTIONS;

  private volatile int wip;
  private static final VarHandle WIP;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      SUBSCRIPTIONS =
          l.findVarHandle(DeliveryLane.class, "subscriptions", StoreSubscription[].class);
      WIP = l.findVarHandle(DeliveryLane.class, "wip", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unchecked")
  DeliveryLane(AtomicStore<S> store, Scheduler scheduler) {
    this.store = store;
    this.worker = scheduler.createWorker();
    this.timed = realTime(scheduler);
    this.subscriptions = EMPTY;
  }

  boolean isEmpty() {
    return subscriptions.length == 0;
  }

  StoreSubscription<S>[] subscriptions() {
    return subscriptions;
  }

  /** After a commit: run the lane's task unless it is already running (then it loops again). */
  void signal() {
    if ((int) WIP.getAndAdd(this, 1) == 0) {
      FanOut.schedule(worker, this);
    }
  }

  /**
   * A busy lane's rounds start at least this far apart, and it is busy at most half the time
   * (the pause after a round is at least as long as the round). Commits that arrive meanwhile
   * conflate into the next round: less CPU taken from writers on a loaded machine, at the price
   * of up to one interval (or one round) of extra latency while commits keep coming. An idle
   * lane starts its round at once, so a lone commit is not delayed.
   */
  static final long MIN_ROUND_INTERVAL_NANOS = 50_000;

  @Override
  public void run() {
    for (;;) {
      long start = System.nanoTime();
      // Every signal counted so far is served by this round (it reads the newest head).
      int missed = (int) WIP.getVolatile(this);
      Snapshot<S> h = store.head();
      for (StoreSubscription<S> s : subscriptions) {
        try {
          s.onHead(h);
        } catch (Throwable t) {
          // Subscriber code is guarded where it is called; this is the last resort.
          Exceptions.throwIfJvmFatal(t);
          Operators.onErrorDropped(t, s.actual.currentContext());
        }
      }
      if ((int) WIP.getAndAdd(this, -missed) - missed == 0) {
        if (h.terminal()) {
          // The store is closed and every subscription has seen it: nothing will signal this
          // lane again (a late subscriber completes on its own requesting thread), so give the
          // worker back; some schedulers (boundedElastic) pin a thread per live worker.
          worker.dispose();
        }
        return;
      }
      // More commits arrived during the round: the lane stays owned (wip > 0, writers only
      // count), and the next round is paced.
      long elapsed = System.nanoTime() - start;
      long pause = Math.max(MIN_ROUND_INTERVAL_NANOS - elapsed, elapsed);
      if (!h.terminal() && timed && schedulePaced(pause)) {
        return;
      }
    }
  }

  private static boolean realTime(Scheduler scheduler) {
    return scheduler != Schedulers.immediate()
        && Math.abs(scheduler.now(TimeUnit.MILLISECONDS) - System.currentTimeMillis()) < 60_000;
  }

  private boolean schedulePaced(long pauseNanos) {
    try {
      worker.schedule(this, pauseNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // disposed or not time-capable: run the next round now
    }
  }
  void add(StoreSubscription<S> s) {
    for (;;) {
      StoreSubscription<S>[] a = subscriptions;
      @SuppressWarnings("unchecked")
      StoreSubscription<S>[] b = new StoreSubscription[a.length + 1];
      System.arraycopy(a, 0, b, 0, a.length);
      b[a.length] = s;
      if (SUBSCRIPTIONS.compareAndSet(this, a, b)) {
        return;
      }
    }
  }

  /** @return whether {@code s} was found and removed */
  @SuppressWarnings("unchecked")
  boolean remove(StoreSubscription<S> s) {
    for (;;) {
      StoreSubscription<S>[] a = subscriptions;
      int i = -1;
      for (int j = 0; j < a.length; j++) {
        if (a[j] == s) {
          i = j;
          break;
        }
      }
      if (i < 0) {
        return false;
      }
      StoreSubscription<S>[] b;
      if (a.length == 1) {
        b = EMPTY;
      } else {
        b = new StoreSubscription[a.length - 1];
        System.arraycopy(a, 0, b, 0, i);
        System.arraycopy(a, i + 1, b, i, a.length - i - 1);
      }
      if (SUBSCRIPTIONS.compareAndSet(this, a, b)) {
        return true;
      }
    }
  }
}
