package io.snapflux.file;

import io.snapflux.store.StoreException;

/**
 * A {@link FileStore} could not read or write its files: opening, recovering, journaling, or
 * waiting for a version to become durable failed.
 */
public class FileStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  /**
   * @param storeName the store
   * @param message what went wrong, naming the store and the file
   */
  public FileStoreException(String storeName, String message) {
    super(storeName, message);
  }

  /**
   * @param storeName the store
   * @param message what went wrong, naming the store and the file
   * @param cause the underlying failure
   */
  public FileStoreException(String storeName, String message, Throwable cause) {
    super(storeName, message, cause);
  }
}
