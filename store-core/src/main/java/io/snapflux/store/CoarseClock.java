package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.locks.LockSupport;

/**
 * A store's default clock: the system clock in UTC, read by one shared daemon thread about once
 * per millisecond, so that a commit pays one volatile read for its timestamp instead of a system
 * call (on some VMs the clock read cost as much as the rest of an update). Never goes backwards.
 * The thread ticks only while someone reads: after about a second without a read it parks, and the
 * next read takes the system clock itself and wakes it.
 *
 * <p>Timestamps trail the wall clock by up to about a millisecond (more if the machine starves
 * the ticking thread); a store built with {@code clock(Clock.systemUTC())} reads the system clock
 * on every commit instead.
 */
final class CoarseClock extends Clock {

  static final CoarseClock UTC = new CoarseClock();

  private static final long TICK_NANOS = 1_000_000;
  private static final int IDLE_TICKS = 1_000;

  private volatile long now = System.currentTimeMillis();
  private volatile boolean ticking;
  /** Set by a read while the ticker runs at most once per tick window; see the loop. */
  private volatile boolean readSinceTick;
  private final Thread ticker;

  private static final VarHandle NOW;

  static {
    try {
      NOW = MethodHandles.lookup().findVarHandle(CoarseClock.class, "now", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private CoarseClock() {
    ticker = new Thread(this::tick, "snapflux-clock");
    ticker.setDaemon(true);
  }

  @Override
  public long millis() {
    if (!ticking) {
      return wake();
    }
    if (!readSinceTick) {
      readSinceTick = true; // at most one write per tick: no cache-line ping-pong per commit
    }
    return now;
  }

  private synchronized void start() {
    if (!ticker.isAlive() && ticker.getState() == Thread.State.NEW) {
      ticker.start();
    }
  }

  /** The dormant path: an exact read, published before the ticker is marked running. */
  private long wake() {
    long t = advanceTo(System.currentTimeMillis());
    readSinceTick = true;
    ticking = true;
    if (ticker.getState() == Thread.State.NEW) {
      start();
    } else {
      LockSupport.unpark(ticker);
    }
    return t;
  }

  /** Raises now to {@code t} if it is later; returns the (never decreasing) current value. */
  private long advanceTo(long t) {
    for (;;) {
      long n = now;
      if (t <= n) {
        return n;
      }
      if (NOW.compareAndSet(this, n, t)) {
        return t;
      }
    }
  }

  private void tick() {
    int idle = 0;
    for (;;) {
      advanceTo(System.currentTimeMillis());
      if (readSinceTick) {
        readSinceTick = false;
        idle = 0;
      } else if (++idle >= IDLE_TICKS) {
        ticking = false;
        idle = 0;
        // A read between the store above and this park unparks first: park returns at once.
        while (!ticking) {
          LockSupport.park(this);
        }
        continue;
      }
      LockSupport.parkNanos(this, TICK_NANOS);
    }
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(ZoneOffset.UTC) ? this : Clock.system(zone);
  }

  @Override
  public String toString() {
    return "CoarseClock[UTC, ~1 ms]";
  }
}
