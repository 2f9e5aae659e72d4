package io.snapflux.file;

/**
 * The files of a {@link FileStore} are damaged beyond what recovery may repair on its own: a
 * file header is invalid, or the snapshot file is corrupt and the journal holds no valid version
 * to recover instead. The store refuses to open rather than start from an empty or older state;
 * the message names the file and the remedy.
 */
public final class CorruptStoreException extends FileStoreException {

  private static final long serialVersionUID = 1L;

  /**
   * @param storeName the store
   * @param message what is damaged, naming the file
   */
  public CorruptStoreException(String storeName, String message) {
    super(storeName, message);
  }

  /** A problem found in one file before the store is known; JournalDirectory names the store. */
  static CorruptStoreException inFile(String message) {
    return new CorruptStoreException("", message);
  }
}
