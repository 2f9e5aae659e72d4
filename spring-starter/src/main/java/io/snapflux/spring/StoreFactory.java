package io.snapflux.spring;

import io.snapflux.store.Delivery;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Creates the application's stores and keeps a registry of them: the one place through which an
 * application declares a typed store, in one line.
 *
 * <pre>{@code
 * @Bean
 * Store<AppState> appState(StoreFactory stores) {
 *   return stores.create("app", AppState.initial());
 * }
 * }</pre>
 *
 * <p>Every store it creates gets the settings of {@code snapflux.stores.<name>.*}, lives in the
 * backend chosen by {@code snapflux.backend}, is decorated by the application's {@link
 * StoreDecorator} beans (the Micrometer one records update latency), appears in the Actuator
 * endpoint {@code snapflux} and in health, and is closed when the application context stops. The
 * store returned by {@code create} is the decorated one; use it, not a store built elsewhere.
 *
 * <p>Thread-safe. Store names are unique within one factory.
 */
public interface StoreFactory {

  /**
   * Creates and registers the store called {@code name}.
   *
   * @param name a unique, non-blank store name; also the key of its settings under {@code
   *     snapflux.stores} and the value of the {@code store} tag of its meters
   * @param initial the initial state (the backend may restore a newer persisted one)
   * @param <S> the type of the state
   * @return the store
   * @throws IllegalStateException if a store of that name exists or the factory is stopped
   */
  default <S> Store<S> create(String name, S initial) {
    return create(name, initial, builder -> {});
  }

  /**
   * Creates and registers the store called {@code name}, letting {@code customizer} add
   * validators, a clock or a delivery scheduler. The customizer runs after the properties were
   * applied, so what it sets wins.
   *
   * @param name a unique, non-blank store name
   * @param initial the initial state (the backend may restore a newer persisted one)
   * @param customizer adjusts the builder before the store is built
   * @param <S> the type of the state
   * @return the store
   * @throws IllegalStateException if a store of that name exists or the factory is stopped
   */
  <S> Store<S> create(String name, S initial, Consumer<StoreBuilder<S>> customizer);

  /**
   * The store called {@code name}.
   *
   * @param name a store name
   * @param <S> the type of its state; the caller asserts it, as with an unchecked cast
   * @return the store
   * @throws NoSuchElementException if this factory created no store of that name
   */
  <S> Store<S> get(String name);

  /** The stores created so far, by name, in creation order; an unmodifiable snapshot. */
  Map<String, Store<?>> stores();

  /**
   * The effective settings of the store called {@code name} ({@code snapflux.stores.<name>.*}
   * or the defaults).
   *
   * @param name a store name
   * @return its settings
   */
  SnapfluxProperties.StoreProperties settings(String name);

  /**
   * A lossless delivery for the store called {@code name}, bounded by its {@code
   * snapflux.stores.<name>.lossless-max-lag}: {@code store.changes(factory.lossless("app"))}.
   *
   * @param name a store name
   * @return the delivery
   */
  default Delivery.Lossless lossless(String name) {
    return Delivery.lossless(settings(name).losslessMaxLag());
  }

  /** The backend the stores of this factory live in. */
  StoreBackend backend();
}
