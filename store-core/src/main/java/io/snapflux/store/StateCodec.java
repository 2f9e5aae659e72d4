package io.snapflux.store;

import java.io.IOException;

/**
 * Turns states into bytes and back, for backends that keep the state outside the JVM heap (a
 * file, Redis). {@link JsonStateCodec} is the default; any format works as long as {@code
 * decode(encode(s))} equals {@code s}.
 *
 * @param <S> the type of the state
 */
public interface StateCodec<S> {

  /**
   * Encodes a state.
   *
   * @param state the state, never {@code null}
   * @return its bytes
   * @throws IOException if the state cannot be encoded
   */
  byte[] encode(S state) throws IOException;

  /**
   * Decodes a state.
   *
   * @param bytes bytes produced by {@link #encode(Object)} (possibly by an older version of the
   *     application: see migrations in the durable backends)
   * @return the state, never {@code null}
   * @throws IOException if the bytes are not a valid state
   */
  S decode(byte[] bytes) throws IOException;
}
