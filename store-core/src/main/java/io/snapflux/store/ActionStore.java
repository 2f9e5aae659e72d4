package io.snapflux.store;

/**
 * A {@link Store} whose changes are described by actions and applied by a {@link Reducer}; built
 * with {@link StoreBuilder#build(Reducer)}. Every dispatched action becomes the {@linkplain
 * Snapshot#cause() cause} of the version it commits, so subscribers and history show why each
 * version exists. Ordinary updates remain available.
 *
 * @param <S> the type of the state
 * @param <A> the type of the actions
 */
public interface ActionStore<S, A> extends Store<S> {

  /**
   * Applies the reducer to the current state and {@code action}, and commits the result.
   *
   * <p>The reducer may be applied more than once and must be side-effect-free.
   *
   * @param action the action
   * @return the committed snapshot (its cause is {@code action}), or the current one if the
   *     reducer changed nothing
   */
  Snapshot<S> dispatch(A action);

  /**
   * Applies several actions as one atomic commit: one version, one emission, whose cause is the
   * list of actions.
   *
   * @param actions the actions, applied in order
   * @return the committed snapshot
   */
  Snapshot<S> dispatchAll(Iterable<? extends A> actions);

  /** The reducer of this store. */
  Reducer<S, A> reducer();
}
