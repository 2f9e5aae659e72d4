package io.snapflux.redis;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Turns for one store's writes within one instance: a first-in, first-out, non-blocking mutex.
 * {@link #take(Mono, Supplier)} emits a {@link Turn} once every earlier taker has {@linkplain
 * Turn#release() released} or given up; nothing ever blocks a thread waiting for one.
 *
 * <p>Implementation notes. Writers of one instance that race to Redis with the same base
 * version all lose but one: each loser pays a conflict round trip and tries again, so n local
 * writers cost about n²/2 round trips (8 threads on one store ran at a quarter of one thread's
 * rate, with 1.6 retries per update: docs/performance.md §5). Taking turns sends one COMMIT at a
 * time, each computed on the replica its predecessor just advanced, so local writers never
 * conflict with each other. Correctness never depends on the turns: the Lua compare-and-set
 * decides every commit, so a turn released early (a cancelled write) costs at most a conflict.
 *
 * <p>The queue is drained by whichever thread finds the work-in-progress counter at zero (the
 * Reactive Streams drain idiom): {@code take} and {@link Turn#release()} both make their
 * change and drain; a drain that finds another running leaves its change to it. A granted turn
 * continues its write synchronously inside the drain, on the granting thread: the releasing
 * write's thread (a Redis I/O thread) or, when no one holds the turn, the taker's own.
 *
 * <p>Two races decide the shape. The held flag is set before a turn's grant, not after: a cancel
 * that lands between the two releases the turn, and a flag set after that release would stay set
 * with no holder. And a granted turn must be claimed by its taker during the delivery: a
 * subscriber cancelled while the turn is delivered drops it without a cancel signal reaching the
 * sink, so a turn not claimed when the delivery returns ends there. WriteTurnsLincheckTest found
 * the second (model checking) and fails on the first.
 */
final class WriteTurns {

  private final Queue<Turn> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  /** Whether a turn is granted and not yet released: changed only by the drain and release. */
  private volatile boolean held;

  /**
   * A turn once every earlier one has ended. The taker must {@linkplain Turn#claim() claim} the
   * turn when it receives it, and {@linkplain Turn#release() release} it when done: a turn not
   * claimed by the time the delivery returns ends there (a subscriber that was cancelled while
   * the turn was granted drops it, and it must not stay held). Cancelling while waiting gives up
   * the place in line. If {@code timeout} emits first, the place is given up and the taker fails
   * with {@code expired}'s error. The timeout is subscribed only when the turn is not granted at
   * once, so an uncontended turn arms no timer.
   */
  Mono<Turn> take(Mono<?> timeout, Supplier<? extends Throwable> expired) {
    return Mono.create(sink -> {
      Turn turn = new Turn(this, sink);
      // One hook for every end of the sink (success, error, cancel): MonoSink keeps only one.
      sink.onDispose(turn::sinkDone);
      waiting.offer(turn);
      drain();
      if (turn.state.get() == Turn.WAITING) {
        turn.timer(timeout.subscribe(x -> turn.expire(expired)));
      }
    });
  }

  /** Whether a turn is held now (for tests). */
  boolean isHeld() {
    return held;
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      while (!held) {
        Turn next = waiting.poll();
        if (next == null) {
          break;
        }
        // held before the grant: a cancel racing the grant releases it, and that must win.
        held = true;
        if (next.grant()) {
          next.deliver(); // may run the write, and even release, right here
        } else {
          held = false; // cancelled while waiting: skip it
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /**
   * One place in line: waiting, then granted, claimed by its taker and released; or cancelled
   * while waiting. {@link #release()} ends a granted or claimed turn, once, however often called.
   */
  static final class Turn {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CLAIMED = 2;
    private static final int CANCELLED = 3;
    private static final int RELEASED = 4;

    private final WriteTurns turns;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private volatile @Nullable MonoSink<Turn> sink;
    private volatile @Nullable Disposable timer;

    Turn(WriteTurns turns, MonoSink<Turn> sink) {
      this.turns = turns;
      this.sink = sink;
    }

    private boolean grant() {
      return state.compareAndSet(WAITING, GRANTED);
    }

    private void deliver() {
      MonoSink<Turn> s = sink;
      sink = null;
      if (s != null) {
        s.success(this);
      }
    }

    private void timer(Disposable t) {
      timer = t;
      if (state.get() != WAITING) {
        t.dispose(); // granted or gone meanwhile: sinkDone may have run before the timer was set
      }
    }

    private void expire(Supplier<? extends Throwable> error) {
      MonoSink<Turn> s = sink;
      if (state.compareAndSet(WAITING, CANCELLED) && s != null) {
        s.error(error.get());
      }
    }

    /**
     * The sink ended (delivered, failed or cancelled): a waiting turn gives up its place, a
     * granted one that its taker did not claim ends.
     */
    private void sinkDone() {
      if (!state.compareAndSet(WAITING, CANCELLED)) {
        end(GRANTED);
      }
      // After the state change: timer() sets the timer, then reads the state, so one of the two
      // sees the other's write and the timer is disposed either way.
      Disposable t = timer;
      if (t != null) {
        t.dispose();
      }
    }

    /**
     * Keeps the turn beyond its delivery, until {@link #release()}.
     *
     * @return false if the turn has ended already (its taker was cancelled meanwhile)
     */
    boolean claim() {
      return state.compareAndSet(GRANTED, CLAIMED);
    }

    /** Whether this turn was granted and has ended (for tests). */
    boolean isReleased() {
      return state.get() == RELEASED;
    }

    /** Ends this turn and lets the next taker go; a no-op unless it is granted or claimed. */
    void release() {
      if (!end(CLAIMED)) {
        end(GRANTED);
      }
    }

    private boolean end(int from) {
      if (state.compareAndSet(from, RELEASED)) {
        turns.held = false;
        turns.drain();
        return true;
      }
      return false;
    }
  }
}
