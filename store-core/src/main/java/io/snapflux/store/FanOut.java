package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A store's delivery lanes and the one signal a writer sends them.
 *
 * <p>A writer's whole publication cost is {@link #signal()}: with up to {@link #DIRECT_LANES}
 * lanes, their work-in-progress increments; with more, the dispatcher's, whose task (on one daemon thread
 * shared by all stores, {@code snapflux-dispatch}, running no subscriber code) then signals every
 * lane that has subscriptions. So the
 * writer's cost grows neither with subscribers nor with lanes (the benchmarks measured 6.4 /
 * 27.7 / 120.7 µs per update with 64 subscribers on 1 / 8 / 64 lanes when writers signalled each
 * lane themselves). Signals conflate: while the dispatcher or a lane is scheduled, further
 * commits only increment its counter, and its next round reads the newest head.
 *
 * <p>Writers never run subscriber code, even when the delivery scheduler rejects work (disposed):
 * the task then runs on a shared fallback thread, see {@link #schedule}.
 */
final class FanOut<S> implements Runnable {

  private static final Logger LOG = Loggers.getLogger(FanOut.class);

  private final AtomicStore<S> store;
  private final DeliveryLane<S>[] lanes;
  private final Scheduler.@Nullable Worker dispatcher;

  /** Benign race: a lost increment only makes two subscriptions share a lane choice. */
  private int nextLane;

  private volatile int wip;
  private static final VarHandle WIP;

  static {
    try {
      WIP = MethodHandles.lookup().findVarHandle(FanOut.class, "wip", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unchecked")
  FanOut(AtomicStore<S> store, Scheduler scheduler, int laneCount) {
    this.store = store;
    DeliveryLane<S>[] l = new DeliveryLane[laneCount];
    for (int i = 0; i < l.length; i++) {
      l[i] = new DeliveryLane<>(store, scheduler);
    }
    this.lanes = l;
    // Not a worker of the delivery scheduler: it would share a thread with a lane, and a
    // subscriber blocking that lane would then stop every lane. The dispatch thread runs no
    // subscriber code and never blocks; Schedulers.immediate() keeps its inline semantics.
    this.dispatcher = laneCount <= DIRECT_LANES ? null
        : scheduler == Schedulers.immediate() ? scheduler.createWorker()
        : Dispatch.SCHEDULER.createWorker();
  }

  /**
   * Up to this many lanes the writer signals them itself (at most this many counter increments,
   * a bound that does not grow with lanes or subscribers, and one thread hop less than through
   * the dispatcher: on the benchmarks' 2-core machine the extra hop multiplied the latency p99).
   */
  static final int DIRECT_LANES = 4;

  /** After a commit that subscribers may care about: O(1) for the writer. */
  void signal() {
    if (dispatcher == null) {
      for (DeliveryLane<S> lane : lanes) {
        if (!lane.isEmpty()) {
          lane.signal();
        }
      }
    } else if ((int) WIP.getAndAdd(this, 1) == 0) {
      schedule(dispatcher, this);
    }
  }

  /** The dispatcher's round: wake every lane that has subscriptions. */
  @Override
  public void run() {
    int missed = 1;
    for (;;) {
      boolean closed = store.head().terminal();
      for (DeliveryLane<S> lane : lanes) {
        if (!lane.isEmpty()) {
          lane.signal();
        }
      }
      missed = (int) WIP.getAndAdd(this, -missed) - missed;
      if (missed == 0) {
        if (closed) {
          dispatcher.dispose();
        }
        return;
      }
    }
  }

  void add(StoreSubscription<S> s) {
    DeliveryLane<S> lane = lanes[(int) (Integer.toUnsignedLong(nextLane++) % lanes.length)];
    s.lane = lane;
    lane.add(s);
  }

  /** @return whether {@code s} was on its lane (and is no more) */
  boolean remove(StoreSubscription<S> s) {
    DeliveryLane<S> lane = s.lane;
    return lane != null && lane.remove(s);
  }

  List<StoreSubscription<S>> subscriptions() {
    List<StoreSubscription<S>> all = new ArrayList<>();
    for (DeliveryLane<S> lane : lanes) {
      all.addAll(List.of(lane.subscriptions()));
    }
    return all;
  }

  /**
   * Schedules a delivery task; if the scheduler rejects it (disposed), on the shared fallback
   * thread instead: deliveries go on, and never on the writer that signalled.
   */
  static void schedule(Scheduler.Worker worker, Runnable task) {
    try {
      worker.schedule(task);
    } catch (RejectedExecutionException e) {
      Fallback.schedule(task);
    }
  }

  /** The dispatchers' thread, created on first use. */
  private static final class Dispatch {
    private static final Scheduler SCHEDULER = Schedulers.newSingle("snapflux-dispatch", true);
  }

  /** One daemon thread shared by every store whose delivery scheduler was disposed. */
  private static final class Fallback {
    private static final Scheduler SCHEDULER =
        Schedulers.newSingle("snapflux-delivery-fallback", true);
    private static volatile boolean warned;

    static void schedule(Runnable task) {
      if (!warned) {
        warned = true;
        LOG.warn("a Snapflux store's delivery scheduler rejected work (disposed?): delivering on "
            + "the fallback thread 'snapflux-delivery-fallback' instead");
      }
      SCHEDULER.schedule(task);
    }
  }
}
