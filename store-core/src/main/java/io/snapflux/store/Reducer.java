package io.snapflux.store;

/**
 * A pure function from a state and an action to the next state (Redux's reducer). It may be
 * applied more than once for one dispatch and must be side-effect-free; returning the same state
 * instance commits nothing.
 *
 * @param <S> the type of the state
 * @param <A> the type of the actions
 */
@FunctionalInterface
public interface Reducer<S, A> {

  /**
   * @param state the current state
   * @param action the dispatched action
   * @return the next state, never {@code null}
   */
  S reduce(S state, A action);
}
