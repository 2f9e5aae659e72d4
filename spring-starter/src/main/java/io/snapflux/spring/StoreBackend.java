package io.snapflux.spring;

import io.snapflux.store.Store;
import java.util.Map;

/**
 * Where the stores of a {@link StoreFactory} keep their state. The factory uses the backend bean
 * whose {@link #kind()} is the value of {@code snapflux.backend}; the {@code memory} backend is
 * built in, and modules such as the Redis and file backends contribute theirs as beans.
 *
 * <p>If no backend of the configured kind is available, the application fails to start with a
 * message saying so.
 */
public interface StoreBackend {

  /** The value of {@code snapflux.backend} this backend implements. */
  SnapfluxProperties.Backend kind();

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
