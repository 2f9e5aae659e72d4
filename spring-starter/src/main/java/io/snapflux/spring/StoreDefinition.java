package io.snapflux.spring;

import io.snapflux.store.StoreBuilder;
import io.snapflux.store.TypeRef;
import java.util.Objects;

/**
 * What a {@link StoreBackend} needs to create one store: its name, its declared state type, its
 * initial state, its settings and an in-memory {@link StoreBuilder} already configured from the
 * settings and the application's customizer (name, equivalence, validators, clock, delivery
 * scheduler).
 *
 * <p>A backend that keeps the state outside the heap encodes and decodes with {@link #type()},
 * never with the runtime class of the initial state: Vavr's {@code List.empty()} is a {@code
 * List$Nil}, which no later state is.
 *
 * @param name the store name
 * @param type the declared type of the state, generics included (see {@link
 *     StoreFactory#create(String, TypeRef, Object)} for where it comes from); the initial state is
 *     an instance of it
 * @param initial the initial state
 * @param settings the effective settings of the store
 * @param builder the configured builder; the memory backend simply builds it
 * @param <S> the type of the state
 */
public record StoreDefinition<S>(
    String name,
    TypeRef<S> type,
    S initial,
    SnapfluxProperties.StoreProperties settings, StoreBuilder<S> builder) {

  /** Checks that nothing is missing. */
  public StoreDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(builder, "builder");
    type.requireInstance(initial);
  }
}
