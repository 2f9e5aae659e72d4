package io.snapflux.sample.history;

/**
 * Undo was asked of a store that has no history capability ({@code Store.history()} is empty,
 * i.e. {@code snapflux.stores.flags.history-size: 0}); {@link NoHistoryAdvice} answers it with a
 * 501 problem.
 */
public final class UndoUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String store;

  /**
   * Creates the exception.
   *
   * @param store the name of the store without history
   */
  public UndoUnavailableException(String store) {
    super("store '" + store + "' keeps no history, so nothing can be undone");
    this.store = store;
  }

  /** The name of the store without history. */
  public String store() {
    return store;
  }
}
