package io.snapflux.store;

/**
 * The result of a version-checked update, {@link Store#updateIfVersion(long,
 * java.util.function.UnaryOperator)}: either the update was applied to the expected version, or
 * the store had moved on and nothing was done.
 *
 * @param <S> the type of the state
 */
public sealed interface Outcome<S> permits Outcome.Applied, Outcome.Conflict {

  /**
   * The snapshot after the call: the committed one for {@link Applied}, the store's current one
   * for {@link Conflict}.
   */
  Snapshot<S> snapshot();

  /** Whether the expected version matched and the update was applied. */
  default boolean applied() {
    return this instanceof Applied;
  }

  /**
   * The expected version matched; the update function ran on it.
   *
   * @param snapshot the committed snapshot; if the function changed nothing, the expected one
   * @param <S> the type of the state
   */
  record Applied<S>(Snapshot<S> snapshot) implements Outcome<S> {}

  /**
   * The store was not at the expected version; nothing was committed.
   *
   * @param expectedVersion the version the caller expected
   * @param snapshot the store's snapshot when the conflict was seen
   * @param <S> the type of the state
   */
  record Conflict<S>(long expectedVersion, Snapshot<S> snapshot) implements Outcome<S> {}
}
