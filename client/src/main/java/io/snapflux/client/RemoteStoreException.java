package io.snapflux.client;

import org.jspecify.annotations.Nullable;

/**
 * A failure reported by or about a remote store: an HTTP answer the client cannot continue from,
 * or a state it cannot decode. Subclasses name the specific cases.
 */
public class RemoteStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * A failure with an HTTP status.
   *
   * @param message what failed
   * @param status the HTTP status, or {@code 0} if none applies
   * @param cause the underlying failure, or {@code null}
   */
  public RemoteStoreException(String message, int status, @Nullable Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /**
   * The HTTP status of the answer that failed.
   *
   * @return the status, or {@code 0} if the failure was not an HTTP answer
   */
  public int status() {
    return status;
  }
}
