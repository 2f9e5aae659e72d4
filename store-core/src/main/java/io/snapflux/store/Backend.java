package io.snapflux.store;

/**
 * Where a store keeps its versions: memory ({@link #memory()}), a directory (store-file), Redis
 * (store-redis), or a third party's. Every backend receives a store's options the same way, as one
 * immutable {@link StoreOptions} value:
 *
 * <pre>{@code
 * Store<Long> counter = Store.builder(0L).name("counter").backend(Backend.memory()).build();
 * }</pre>
 *
 * <p>A backend implements the {@link Store} contract, including {@link CommitPipeline} for the
 * commit attempt (version check, apply, equivalence, validators, interceptors, counters), so an
 * application's rules hold whatever the backend; it differs only in how it compares-and-sets and
 * publishes. Optional capabilities ({@link Store#history()}) are declared by type.
 *
 * <pre>
 * Implementation notes. The service-provider shape of JDBC's Driver or Caffeine's
 * Policy/Cache split: the builder knows nothing of backends, a backend nothing of builders.
 * </pre>
 */
@FunctionalInterface
public interface Backend {

  /**
   * Creates a store from {@code options}.
   *
   * @param options the application's options
   * @param <S> the type of the state
   * @return a new store at {@code options.initial()}, or at the state the backend keeps
   */
  <S> Store<S> create(StoreOptions<S> options);

  /**
   * The in-memory backend: a lock-free atomic reference to the newest snapshot; a new random
   * epoch per store.
   *
   * @return the in-memory backend
   */
  static Backend memory() {
    return AtomicStore::new;
  }

  /**
   * A backend for stores of one state type only: what a backend's own typed builder (such as
   * store-file's {@code FileStoreBuilder}) passes to {@link StoreBuilder#backend(Backend)} of the
   * {@code StoreBuilder<S>} it builds with, so that it receives the options like every backend.
   * Used with any other state type, {@code open} would receive options of the wrong type.
   *
   * @param open opens a store from the options
   * @param <S> the state type
   * @return the backend
   */
  static <S> Backend typed(java.util.function.Function<StoreOptions<S>, ? extends Store<S>> open) {
    java.util.Objects.requireNonNull(open, "open");
    return new Backend() {
      @Override
      @SuppressWarnings("unchecked")
      public <T> Store<T> create(StoreOptions<T> options) {
        return (Store<T>) open.apply((StoreOptions<S>) (StoreOptions<?>) options);
      }
    };
  }
}
