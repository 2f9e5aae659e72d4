package io.snapflux.store;

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
 * the state it shares with its neighbours.
 *
 * @param <S> the type of the state
 */
public final class Snapshot<S> {

  private final long version;
  private final S state;
  private final @Nullable Object cause;
  private final long timestampMillis;

  private Snapshot(long version, S state, @Nullable Object cause, long timestampMillis) {
    this.version = version;
    this.state = state;
    this.cause = cause;
    this.timestampMillis = timestampMillis;
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
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, was " + version);
    }
    Objects.requireNonNull(state, "a Snapflux state is never null");
    return new Snapshot<>(version, state, cause, timestampMillis);
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
