package io.snapflux.spring;

import io.snapflux.store.Delivery;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.snapflux.store.TypeRef;
import java.util.Map;
import java.util.Optional;
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
 * <p>The file and Redis backends encode the state with its declared type, generics included:
 * inferred from the {@code @Bean} method's return type ({@code Store<AppState>}) or from the
 * initial state's class, or given as a {@link TypeRef} (see {@link #create(String, Object,
 * Consumer)}).
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
   * Creates and registers the store called {@code name}, of the state type {@linkplain
   * #create(String, Object, Consumer) inferred} from the calling {@code @Bean} method or from
   * {@code initial}.
   *
   * @param name a unique, non-blank store name; also the key of its settings under {@code
   *     snapflux.stores} and the value of the {@code store} tag of its meters
   * @param initial the initial state (the backend may restore a newer persisted one)
   * @param <S> the type of the state
   * @return the store
   * @throws IllegalStateException if a store of that name exists or the factory is stopped
   * @throws IllegalArgumentException if the state type cannot be inferred
   */
  default <S> Store<S> create(String name, S initial) {
    return create(name, initial, builder -> {});
  }

  /**
   * Creates and registers the store called {@code name}, letting {@code customizer} add
   * validators, a clock or a delivery scheduler. The customizer runs after the properties were
   * applied, so what it sets wins.
   *
   * <p>The declared state type, which the file and Redis backends encode with, is inferred:
   *
   * <ol>
   *   <li>from the return type of the {@code @Bean} method calling this one, when it is a {@code
   *       Store<T>} (or a subtype) with a concrete {@code T} that {@code initial} is an instance
   *       of: {@code @Bean Store<List<Todo>> todos(StoreFactory stores) { return
   *       stores.create("todos", List.empty()); }} declares {@code List<Todo>};
   *   <li>else from the class of {@code initial}, if that class has no type parameters (a record
   *       such as {@code Todos(List<Todo> items)}, an {@code Integer}: records keep the generic
   *       types of their components);
   *   <li>else it fails with an {@link IllegalArgumentException} telling to pass a type with
   *       {@link #create(String, TypeRef, Object, Consumer)}: the class of a Vavr {@code
   *       List.empty()} is {@code List$Nil}, which no later state is, and a {@code HashMap}'s
   *       runtime class does not say what its values are, so a backend would decode them as
   *       JSON maps. It fails on every backend, memory included, so that an application that
   *       starts on one backend starts on the others.
   * </ol>
   *
   * @param name a unique, non-blank store name
   * @param initial the initial state (the backend may restore a newer persisted one)
   * @param customizer adjusts the builder before the store is built
   * @param <S> the type of the state
   * @return the store
   * @throws IllegalStateException if a store of that name exists or the factory is stopped
   * @throws IllegalArgumentException if the state type cannot be inferred
   */
  default <S> Store<S> create(String name, S initial, Consumer<StoreBuilder<S>> customizer) {
    return create(name, DeclaredStateType.infer(name, initial), initial, customizer);
  }

  /**
   * Creates and registers the store called {@code name} whose state has the declared {@code
   * type}: {@code stores.create("todos", new TypeRef<List<Todo>>() {}, List.empty())}. From a
   * Spring {@code ResolvableType} or {@code ParameterizedTypeReference}, use {@code
   * TypeRef.of(resolvable.getType())}.
   *
   * @param name a unique, non-blank store name
   * @param type the declared state type, generics included; backends that keep the state
   *     outside the heap (file, Redis) encode and decode with it
   * @param initial the initial state, an instance of {@code type}
   * @param <S> the type of the state
   * @return the store
   * @throws IllegalStateException if a store of that name exists or the factory is stopped
   * @throws IllegalArgumentException if {@code initial} is not an instance of {@code type}
   */
  default <S> Store<S> create(String name, TypeRef<S> type, S initial) {
    return create(name, type, initial, builder -> {});
  }

  /**
   * Creates and registers the store called {@code name} whose state has the declared {@code
   * type}, letting {@code customizer} adjust the builder after the properties were applied.
   *
   * @param name a unique, non-blank store name
   * @param type the declared state type, generics included
   * @param initial the initial state, an instance of {@code type}
   * @param customizer adjusts the builder before the store is built
   * @param <S> the type of the state
   * @return the store
   * @throws IllegalStateException if a store of that name exists or the factory is stopped
   * @throws IllegalArgumentException if {@code initial} is not an instance of {@code type}
   */
  <S> Store<S> create(
      String name, TypeRef<S> type, S initial, Consumer<StoreBuilder<S>> customizer);

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

  /**
   * The declared state type of the store called {@code name}, as given to or inferred by {@code
   * create}: what a tool that turns JSON back into a state (the inspector's revert) decodes to.
   *
   * @param name a store name
   * @return its declared type, or empty if this factory created no store of that name (or does
   *     not remember types)
   */
  default Optional<TypeRef<?>> stateType(String name) {
    return Optional.empty();
  }

  /** The backend the stores of this factory live in. */
  StoreBackend backend();
}
