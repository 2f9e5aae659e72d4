package io.snapflux.spring;

import io.snapflux.store.Store;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The backend plugin SPI: where the stores of a {@link StoreFactory} keep their state.
 *
 * <p>A backend is a bean of this type, identified by its {@link #id()}; the factory uses the one
 * whose id is the value of {@code snapflux.backend}. The starter has only the built-in {@value
 * #MEMORY} backend (which a bean with that id replaces). The {@code file} and {@code redis}
 * backends are plugins like any third-party one: their modules ({@code snapflux-file}, {@code
 * snapflux-redis}) each register an auto-configuration that contributes the bean when {@code
 * snapflux.backend} names them. A third-party backend does the same, or is simply declared as a
 * bean by the application:
 *
 * <pre>
 * &#64;Bean
 * StoreBackend tapeBackend() {
 *   return new StoreBackend() {
 *     public String id() { return "tape"; }
 *     public &lt;S&gt; Store&lt;S&gt; create(StoreDefinition&lt;S&gt; definition) { ... }
 *   };
 * }
 * </pre>
 *
 * <p>The application fails to start, with a report naming the configured id and the available
 * ones, when no backend has the configured id ({@link BackendUnavailableException}), and when two
 * backend beans have the same id ({@link DuplicateBackendException}).
 */
public interface StoreBackend {

  /** The id of the built-in in-memory backend, the default value of {@code snapflux.backend}. */
  String MEMORY = "memory";

  /**
   * What a backend id looks like: lower-case ASCII letters, digits and dashes, starting with a
   * letter, e.g. {@code memory}, {@code file}, {@code my-backend}.
   */
  Pattern ID = Pattern.compile("[a-z][a-z0-9-]*");

  /**
   * The value of {@code snapflux.backend} that selects this backend, e.g. {@code file}; matches
   * {@link #ID}. The value of the property is compared ignoring case.
   *
   * @return the id, constant for the lifetime of the backend
   */
  String id();

  /**
   * Creates the store that {@code definition} describes.
   *
   * @param definition the name, initial state, settings and configured builder
   * @param <S> the type of the state
   * @return the store, not yet decorated
   */
  <S> Store<S> create(StoreDefinition<S> definition);

  /**
   * Whether {@code store} can currently commit updates (e.g. its Redis server is reachable); the
   * health contributor reports a store whose backend is unavailable as down.
   *
   * @param store a store this backend created (possibly decorated)
   * @return {@code true} by default
   */
  default boolean isAvailable(Store<?> store) {
    return true;
  }

  /**
   * Backend-specific facts about {@code store} for health details and the Actuator endpoint
   * (a file path, a Redis key). Must not contain secrets.
   *
   * @param store a store this backend created (possibly decorated)
   * @return details, empty by default
   */
  default Map<String, Object> details(Store<?> store) {
    return Map.of();
  }
}
