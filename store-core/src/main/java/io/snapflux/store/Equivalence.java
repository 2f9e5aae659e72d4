package io.snapflux.store;

/**
 * Decides whether a state returned by an update function is "the same" as the current one, in
 * which case nothing is committed: no new version, no emission.
 *
 * <p>The default is {@link #identity()}: only the very same instance counts as unchanged. It is
 * O(1), and persistent collections return the same instance when an operation changes nothing
 * ({@code map.put(k, sameValue)} aside). {@link #equality()} also treats {@code equals} states as
 * unchanged, at the price of an {@code equals} call per update, which is O(n) on a large Vavr
 * collection.
 *
 * @param <S> the type of the state
 */
@FunctionalInterface
public interface Equivalence<S> {

  /**
   * Whether {@code next} is the same state as {@code current}.
   *
   * @param current the current state
   * @param next the state the update function returned
   * @return {@code true} to commit nothing
   */
  boolean equivalent(S current, S next);

  /** Same instance only (the default). */
  static <S> Equivalence<S> identity() {
    return (a, b) -> a == b;
  }

  /** Same instance or {@code equals}. */
  static <S> Equivalence<S> equality() {
    return (a, b) -> a == b || a.equals(b);
  }
}
