package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One committed state of a {@link Store}, with the version that identifies it.
 *
 * <p>Version {@code 0} is the initial state; every committed change has the version of its
 * predecessor plus one. Within one store a version identifies exactly one state, which is why a
 * version can serve as an HTTP {@code ETag} and as the expected value of
 * {@link Store#compareAndSet(long, Object)}.
 *
 * <p>A snapshot is immutable and holds no reference to later versions, so keeping one costs only
 * the state it shares with its neighbours (and, in a store with history, the undo steps of at
 * most twice the history size).
 *
 * @param <S> the type of the state
 */
public final class Snapshot<S> {

  private final long version;
  private final S state;
  private final @Nullable Object cause;
  private final long timestampMillis;
  /**
   * The epoch, shared by every snapshot of one history (one reference, never a per-snapshot
   * copy), and whether this is the terminal head of a closed store: one field for both keeps a
   * snapshot at 56 bytes (compressed oops), as it was before epochs.
   */
  final Epoch epoch;

  // Store bookkeeping (package-private; a snapshot made by of() has none of it). The in-memory
  // store's head is the snapshot itself: no separate node (see AtomicStore's notes).

  /** Position in the store's sequence of heads: +1 per installed snapshot, even across a
   *  version jump of a replica. Indexes the delivery rings. */
  final long seq;

  /** Undo and redo steps, in a store with history; {@code null} otherwise. */
  final @Nullable UndoStacks<S> undo;

  /**
   * The predecessor head, until this snapshot and every predecessor a subscriber may still need
   * are in the store's rings; then cleared (with release semantics), so it never keeps a run of
   * old versions alive. Lets a later writer (or a reader) find versions whose writers are
   * delayed between their CAS and their ring write.
   */
  @SuppressWarnings("unused") // through PREV
  private volatile @Nullable Snapshot<S> prev;

  private static final VarHandle PREV;

  static {
    try {
      PREV = MethodHandles.lookup().findVarHandle(Snapshot.class, "prev", Snapshot.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The epoch of a history, and whether a head is the terminal head of a closed store. A store
   * makes one open and (at close) one terminal instance per epoch; snapshots share them.
   */
  static final class Epoch {
    static final Epoch NONE = new Epoch("", false);

    final String id;
    final boolean terminal;

    Epoch(String id, boolean terminal) {
      this.id = Objects.requireNonNull(id, "epoch");
      this.terminal = terminal;
    }

    Epoch open() {
      return terminal ? new Epoch(id, false) : this;
    }

    Epoch closed() {
      return terminal ? this : new Epoch(id, true);
    }
  }

  /** The last epoch made by {@link #of(long, Object, Object, long, String)}: reused while the
   *  same id (by identity) keeps coming, so a backend passing its epoch field allocates once. */
  private static volatile Epoch lastOf = Epoch.NONE;

  Snapshot(long version, S state, @Nullable Object cause, long timestampMillis, Epoch epoch,
      long seq, @Nullable UndoStacks<S> undo, @Nullable Snapshot<S> prev) {
    this.version = version;
    this.state = state;
    this.cause = cause;
    this.timestampMillis = timestampMillis;
    this.epoch = epoch;
    this.seq = seq;
    this.undo = undo;
    // Plain write: published by the CAS of the store's head (a volatile write).
    PREV.set(this, prev);
  }

  /** Acquire: pairs with {@link #released()}; a null read sees the ring writes before it. */
  @SuppressWarnings("unchecked")
  @Nullable Snapshot<S> prevAcquire() {
    return (Snapshot<S>) PREV.getAcquire(this);
  }

  /** Release: everything written before (the ring writes) is visible to an acquiring reader. */
  void released() {
    PREV.setRelease(this, null);
  }

  /** Whether this is the terminal head of a closed store (a copy of the last snapshot). */
  boolean terminal() {
    return epoch.terminal;
  }

  /** This snapshot with a store's bookkeeping: what a head carries. */
  Snapshot<S> asHead(long seq, @Nullable UndoStacks<S> undo, @Nullable Snapshot<S> prev) {
    return new Snapshot<>(version, state, cause, timestampMillis, epoch.open(), seq, undo, prev);
  }

  /** The terminal copy of this head: same version, state and sequence number. */
  Snapshot<S> asTerminal() {
    return new Snapshot<>(version, state, cause, timestampMillis, epoch.closed(), seq, undo,
        this);
  }

  /** A copy without bookkeeping (an undo step), sharing this snapshot's epoch. */
  Snapshot<S> bare() {
    return new Snapshot<>(version, state, cause, timestampMillis, epoch.open(), version, null,
        null);
  }

  /**
   * Creates a snapshot; store implementations use this, applications receive snapshots.
   *
   * @param version the version, zero or more
   * @param state the state, never {@code null}
   * @param cause why this version exists (an action, a label), or {@code null}
   * @param timestampMillis when it was committed, in milliseconds since the epoch
   * @param <S> the type of the state
   * @return the snapshot
   * @throws IllegalArgumentException if {@code version} is negative
   * @throws NullPointerException if {@code state} is {@code null}
   */
  public static <S> Snapshot<S> of(
      long version, S state, @Nullable Object cause, long timestampMillis) {
    return of(version, state, cause, timestampMillis, "");
  }

  /**
   * Creates a snapshot of the history {@code epoch}; backends use this.
   *
   * @param version the version, zero or more
   * @param state the state, never {@code null}
   * @param cause why this version exists, or {@code null}
   * @param timestampMillis when it was committed, in milliseconds since the epoch
   * @param epoch the epoch of the history this version belongs to ({@code ""}: none known)
   * @param <S> the type of the state
   * @return the snapshot
   * @throws IllegalArgumentException if {@code version} is negative
   * @throws NullPointerException if {@code state} or {@code epoch} is {@code null}
   */
  public static <S> Snapshot<S> of(
      long version, S state, @Nullable Object cause, long timestampMillis, String epoch) {
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, was " + version);
    }
    Objects.requireNonNull(state, "a Snapflux state is never null");
    Objects.requireNonNull(epoch, "epoch");
    Epoch e = lastOf;
    if (e.id != epoch) {
      e = epoch.isEmpty() ? Epoch.NONE : new Epoch(epoch, false);
      lastOf = e;
    }
    return new Snapshot<>(version, state, cause, timestampMillis, e, version, null, null);
  }

  /**
   * The epoch of the history this version belongs to: an incarnation id of the store. Within one
   * epoch versions grow by exactly one and a version names exactly one state; a version token is
   * the pair (epoch, version). The in-memory store makes a new random epoch per store instance;
   * the file store keeps its journal's epoch across restarts (a new one when a crash may have
   * lost acknowledged versions); the Redis store uses the history epoch kept in Redis. {@code ""}
   * for a snapshot made by {@link #of(long, Object, Object, long)} outside any store.
   *
   * @return the epoch, never {@code null}
   */
  public String epoch() {
    return epoch.id;
  }

  /** The version: {@code 0} for the initial state, {@code +1} for every committed change. */
  public long version() {
    return version;
  }

  /** The state at this version. */
  public S state() {
    return state;
  }

  /**
   * Why this version exists: the action dispatched, the label given to an update, an undo
   * marker; {@code null} when the change carried none.
   */
  public @Nullable Object cause() {
    return cause;
  }

  /** When this version was committed, by the store's clock (millisecond precision). */
  public Instant timestamp() {
    return Instant.ofEpochMilli(timestampMillis);
  }

  /** When this version was committed, in milliseconds since the epoch. */
  public long timestampMillis() {
    return timestampMillis;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Snapshot<?> other
        && version == other.version
        && timestampMillis == other.timestampMillis
        && state.equals(other.state)
        && Objects.equals(cause, other.cause);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + state.hashCode();
  }

  @Override
  public String toString() {
    return "Snapshot{version=" + version + ", state=" + state
        + (cause == null ? "" : ", cause=" + cause) + "}";
  }
}
