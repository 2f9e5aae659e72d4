package io.snapflux.client;

import org.jspecify.annotations.Nullable;

/**
 * A conditional write was refused with {@code 412 Precondition Failed}: the resource changed
 * after the version the write was conditioned on (docs/protocol.md §5, R10). Nothing was changed.
 * {@link RemoteStore#update} retries on it; it reaches the caller only as the cause of a {@link
 * ConflictRetriesExhaustedException}.
 */
public class PreconditionFailedException extends RemoteStoreException {

  private static final long serialVersionUID = 1L;

  private final @Nullable String currentETag;

  /**
   * A refused write.
   *
   * @param path the resource's path
   * @param ifMatch the {@code If-Match} sent
   * @param currentETag the resource's current {@code ETag} as the answer reported it, or {@code
   *     null}
   */
  public PreconditionFailedException(String path, String ifMatch, @Nullable String currentETag) {
    super("Precondition failed for " + path + ": If-Match " + ifMatch + ", current ETag "
        + currentETag, 412, null);
    this.currentETag = currentETag;
  }

  /**
   * The validator the server reported as current.
   *
   * @return the {@code ETag} of the 412 answer, or {@code null}
   */
  public @Nullable String currentETag() {
    return currentETag;
  }
}
