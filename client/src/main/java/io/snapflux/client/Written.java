package io.snapflux.client;

import org.jspecify.annotations.Nullable;

/**
 * The result of a successful {@link RemoteStore#update}.
 *
 * @param eTag the {@code ETag} the write was answered with (the resource's new validator), or
 *     {@code null} if the answer had none
 * @param body the answer's body, decoded, or {@code null} if it had none
 * @param attempts how many read-modify-write attempts it took (1 without conflict)
 * @param <V> the type of the body
 */
public record Written<V>(@Nullable String eTag, @Nullable V body, int attempts) {

  /**
   * The version token of the write's {@code ETag}, to {@linkplain RemoteStore#awaitVersion wait}
   * for the mirror to reach it.
   *
   * @return the token, or {@code null} if the {@code ETag} is absent or not a token
   */
  public @Nullable VersionToken token() {
    return VersionToken.fromETag(eTag);
  }
}
