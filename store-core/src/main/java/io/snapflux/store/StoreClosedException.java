package io.snapflux.store;

/** Thrown by an update to a store that has been {@linkplain Store#close() closed}. */
public final class StoreClosedException extends StoreException {

  private static final long serialVersionUID = 1L;


  /**
   * @param storeName the closed store
   */
  public StoreClosedException(String storeName) {
    super(storeName, "store '" + storeName + "' is closed; it accepts no more updates");
  }

}
