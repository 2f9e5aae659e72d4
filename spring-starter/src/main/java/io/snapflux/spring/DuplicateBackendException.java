package io.snapflux.spring;

import java.util.List;

/**
 * Thrown at startup when two {@link StoreBackend} beans have the same {@link StoreBackend#id()}:
 * {@code snapflux.backend} could not say which one it selects. A failure analyzer turns it into a
 * startup report naming the id and the backends.
 */
public final class DuplicateBackendException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String backend;
  private final List<String> backends;

  /**
   * @param backend the id two or more backends have
   * @param backends a description of each of them (class and {@code toString()})
   */
  public DuplicateBackendException(String backend, List<String> backends) {
    super(backends.size() + " StoreBackend beans have the id '" + backend + "': "
        + String.join("; ", backends) + " (each backend id must be unique)");
    this.backend = backend;
    this.backends = List.copyOf(backends);
  }

  /** The id the backends share. */
  public String backend() {
    return backend;
  }

  /** A description of each backend with that id. */
  public List<String> backends() {
    return backends;
  }
}
