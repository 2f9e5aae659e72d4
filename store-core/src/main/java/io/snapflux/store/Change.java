package io.snapflux.store;

import org.jspecify.annotations.Nullable;

/**
 * One change of a store, as {@link Stores#changeEvents(Store)} delivers it: the snapshot before, the
 * snapshot after, and why (Clojure's watches, Redux's "previous state" done right).
 *
 * @param before the snapshot the change replaced (the one this subscriber saw before)
 * @param after the new snapshot
 * @param <S> the type of the state
 */
public record Change<S>(Snapshot<S> before, Snapshot<S> after) {

  /** Why the new version exists: {@code after().cause()}. */
  public @Nullable Object cause() {
    return after.cause();
  }

  /** Whether {@code after} directly follows {@code before} (no versions in between). */
  public boolean contiguous() {
    return after.version() == before.version() + 1;
  }
}
