package io.snapflux.spring;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when {@code snapflux.backend} names a backend no {@link StoreBackend} bean
 * provides. A failure analyzer turns it into a startup report naming the id, the available ones
 * and, for the project's own backends, the module to add.
 */
public final class BackendUnavailableException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String backend;
  private final List<String> available;

  /**
   * @param backend the configured backend id nothing implements
   * @param available the ids of the backends that exist, in the order to list them
   */
  public BackendUnavailableException(String backend, List<String> available) {
    super("snapflux.backend=" + backend + " but no backend with id '" + backend
        + "' is available (available: " + String.join(", ", available) + ")"
        + moduleHint(backend));
    this.backend = backend;
    this.available = List.copyOf(available);
  }

  /** The configured backend id. */
  public String backend() {
    return backend;
  }

  /** The ids of the backends that are available. */
  public List<String> available() {
    return available;
  }

  /**
   * Which dependency provides the project's backend {@code id}, or {@code null} for an id that is
   * not one of the project's.
   */
  static @Nullable String moduleOf(String id) {
    return switch (Objects.requireNonNull(id)) {
      case "file" -> "io.snapflux:snapflux-file";
      case "redis" -> "io.snapflux:snapflux-redis (with spring-boot-starter-data-redis)";
      default -> null;
    };
  }

  private static String moduleHint(String id) {
    String module = moduleOf(id);
    return module == null ? "" : ": add the dependency " + module;
  }
}
