package io.snapflux.spring;

/**
 * Thrown at startup when {@code snapflux.backend} names a backend no module provides. A failure
 * analyzer turns it into a startup report saying what to add or change.
 */
public final class BackendUnavailableException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final SnapfluxProperties.Backend backend;

  /**
   * @param backend the configured backend nothing implements
   */
  public BackendUnavailableException(SnapfluxProperties.Backend backend) {
    super("snapflux.backend=" + backend.id() + " but the " + backend.id()
        + " backend implementation is not available: no StoreBackend bean of kind "
        + backend.id() + " exists (add the Snapflux " + backend.id()
        + " backend module to the application, or set snapflux.backend=memory)");
    this.backend = backend;
  }

  /** The configured backend. */
  public SnapfluxProperties.Backend backend() {
    return backend;
  }
}
