package io.snapflux.spring;

import io.snapflux.store.StoreBuilder;
import java.util.Objects;

/**
 * What a {@link StoreBackend} needs to create one store: its name, its initial state, its
 * settings and an in-memory {@link StoreBuilder} already configured from the settings and the
 * application's customizer (name, equivalence, validators, clock, delivery scheduler).
 *
 * @param name the store name
 * @param initial the initial state
 * @param settings the effective settings of the store
 * @param builder the configured builder; the memory backend simply builds it
 * @param <S> the type of the state
 */
public record StoreDefinition<S>(
    String name, S initial, SnapfluxProperties.StoreProperties settings, StoreBuilder<S> builder) {

  /** Checks that nothing is missing. */
  public StoreDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(builder, "builder");
  }

  /**
   * The runtime class of the initial state, which a backend that stores state outside the heap
   * decodes into (records keep the generic types of their components).
   */
  @SuppressWarnings("unchecked")
  public Class<S> stateType() {
    return (Class<S>) initial.getClass();
  }
}
