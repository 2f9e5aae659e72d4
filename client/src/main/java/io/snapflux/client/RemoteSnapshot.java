package io.snapflux.client;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One state of a remote store as the client holds it: the version token it is named by, the state
 * decoded to the client's type, and the JSON it was decoded from (the base of the next JSON Patch).
 *
 * @param epoch the history this version belongs to
 * @param version the version within the epoch
 * @param state the state, decoded
 * @param json the state as received (or as patched); not to be modified
 * @param cause what the writer recorded, or {@code null}
 * @param timestamp the commit time the server reported, or {@code null}
 * @param <T> the type of the state
 */
public record RemoteSnapshot<T>(
    String epoch,
    long version,
    T state,
    JsonNode json,
    @Nullable JsonNode cause,
    @Nullable Instant timestamp) {

  /** Checks that the required parts are present. */
  public RemoteSnapshot {
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(json, "json");
  }

  /**
   * The version token naming this state.
   *
   * @return {@code epoch.version}
   */
  public VersionToken token() {
    return new VersionToken(epoch, version);
  }
}
