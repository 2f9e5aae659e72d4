package io.snapflux.sample.history;

import io.snapflux.sample.flags.AppState;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.collection.Seq;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;

/**
 * The most recent {@value #CAPACITY} snapshots of the flag store, each with its cause: what the
 * history panel shows, what undo goes back to, and what a reconnecting event stream replays.
 *
 * <p>Fed by one lossless subscription, so it sees every version in order. Only that
 * subscription's (serialised) deliveries write {@link #entries}; readers take the volatile
 * reference and so always see a consistent, immutable vector. The log trails the store by the
 * delivery hop: a reader may miss the version committed a moment ago, which is benign because
 * every reader that needs the newest version takes it from the store itself. If the subscriber
 * ever fell {@value #MAX_LAG} versions behind it would resync, leaving a visible gap that {@link
 * #between} reports as "not available" rather than papering over.
 */
@Component
public class HistoryLog implements DisposableBean {

  /** How many versions are kept. */
  public static final int CAPACITY = 200;

  static final int MAX_LAG = 4096;

  private volatile Vector<Snapshot<AppState>> entries = Vector.empty();
  private final Disposable subscription;

  HistoryLog(Store<AppState> store) {
    subscription = store.changes(Delivery.lossless(MAX_LAG).resyncOnOverflow())
        .subscribe(this::append);
  }

  private void append(Snapshot<AppState> snapshot) {
    Vector<Snapshot<AppState>> next = entries.append(snapshot);
    entries = next.size() > CAPACITY ? next.drop(next.size() - CAPACITY) : next;
  }

  /** Up to {@code limit} snapshots, newest first. */
  public Seq<Snapshot<AppState>> recent(int limit) {
    return entries.reverse().take(limit);
  }

  /** The snapshot at {@code version}, while it is still kept. */
  public Option<Snapshot<AppState>> at(long version) {
    Vector<Snapshot<AppState>> e = entries;
    if (e.isEmpty()) {
      return Option.none();
    }
    long index = version - e.head().version();
    if (index >= 0 && index < e.size() && e.get((int) index).version() == version) {
      return Option.some(e.get((int) index));
    }
    return e.find(s -> s.version() == version);
  }

  /**
   * Every snapshot from {@code from} to {@code to}, inclusive and in order, or none if any of them
   * is no longer (or not yet) kept.
   */
  public Option<Seq<Snapshot<AppState>>> between(long from, long to) {
    if (from > to) {
      return Option.some(Vector.empty());
    }
    Seq<Snapshot<AppState>> range = entries.filter(s -> s.version() >= from && s.version() <= to);
    return range.size() == to - from + 1 ? Option.some(range) : Option.none();
  }

  @Override
  public void destroy() {
    subscription.dispose();
  }
}
