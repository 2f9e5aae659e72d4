package io.snapflux.client;

/**
 * {@link RemoteStore#awaitVersion} waited for a token of a history the remote store has left: the
 * mirror resynced to another epoch (a restart of an in-memory store, a re-seeded Redis), so the
 * awaited version will never be reached (docs/protocol.md §7). Re-read and decide again.
 */
public class EpochChangedException extends RemoteStoreException {

  private static final long serialVersionUID = 1L;

  private final VersionToken awaited;
  private final VersionToken current;

  /**
   * The awaited history ended.
   *
   * @param awaited the token waited for
   * @param current the token the mirror holds
   */
  public EpochChangedException(VersionToken awaited, VersionToken current) {
    super("Waited for " + awaited + " but the store moved to another epoch (now " + current
        + "); that version will never be reached", 0, null);
    this.awaited = awaited;
    this.current = current;
  }

  /**
   * The token that was awaited.
   *
   * @return the token of the ended history
   */
  public VersionToken awaited() {
    return awaited;
  }

  /**
   * The token the mirror holds, of the new epoch.
   *
   * @return the current token
   */
  public VersionToken current() {
    return current;
  }
}
