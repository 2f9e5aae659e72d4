package io.snapflux.benchmarks;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The honest ceiling of a versioned store (issue 11): a compare-and-set loop over an immutable
 * (version, state) pair. Every commit allocates the new state and one pair, as the store
 * allocates the new state and one snapshot; no timestamp, no subscribers, no backoff.
 */
final class VersionedRef<S> {

  /** One committed state and its version. */
  record Versioned<S>(long version, S state) {}

  private final AtomicReference<Versioned<S>> ref;

  VersionedRef(S initial) {
    this.ref = new AtomicReference<>(new Versioned<>(0, initial));
  }

  Versioned<S> update(UnaryOperator<S> fn) {
    for (;;) {
      Versioned<S> current = ref.get();
      S next = fn.apply(current.state());
      if (next == current.state()) {
        return current;
      }
      Versioned<S> v = new Versioned<>(current.version() + 1, next);
      if (ref.compareAndSet(current, v)) {
        return v;
      }
    }
  }
}
