package io.snapflux.sample.web;

import io.snapflux.store.Snapshot;

/**
 * The JSON form of a snapshot: {@code {"version": n, "state": {...}}}.
 *
 * @param version the store's version
 * @param state the state at that version
 */
public record SnapshotView<S>(long version, S state) {

  /** The view of {@code snapshot}. */
  public static <S> SnapshotView<S> of(Snapshot<S> snapshot) {
    return new SnapshotView<>(snapshot.version(), snapshot.state());
  }
}
