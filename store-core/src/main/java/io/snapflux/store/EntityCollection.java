package io.snapflux.store;

import io.vavr.collection.LinkedHashMap;
import io.vavr.collection.Seq;
import io.vavr.control.Option;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An immutable "map of entities by id", the most common shape of application state (Redux
 * Toolkit's entity adapter, over Vavr). Entities keep insertion order, or the order of a
 * comparator given at creation.
 *
 * <p>Every operation returns a new collection sharing structure with this one, and returns
 * <b>this very instance</b> when it changes nothing (adding an existing id, updating or removing
 * a missing one, upserting an equal entity), so a store update made of such an operation commits
 * nothing under the default identity {@link Equivalence}.
 *
 * @param <K> the id type
 * @param <E> the entity type
 */
public final class EntityCollection<K, E> {

  private final Function<? super E, ? extends K> idOf;
  private final @Nullable Comparator<? super E> order;
  private final LinkedHashMap<K, E> byId;

  private EntityCollection(Function<? super E, ? extends K> idOf,
      @Nullable Comparator<? super E> order, LinkedHashMap<K, E> byId) {
    this.idOf = idOf;
    this.order = order;
    this.byId = byId;
  }

  /**
   * An empty collection in insertion order.
   *
   * @param idOf extracts an entity's id
   * @param <K> the id type
   * @param <E> the entity type
   * @return the collection
   */
  public static <K, E> EntityCollection<K, E> empty(Function<? super E, ? extends K> idOf) {
    return new EntityCollection<>(Objects.requireNonNull(idOf, "idOf"), null,
        LinkedHashMap.empty());
  }

  /**
   * An empty collection whose {@link #all()} is sorted by {@code order}.
   *
   * @param idOf extracts an entity's id
   * @param order the order of {@link #all()}
   * @param <K> the id type
   * @param <E> the entity type
   * @return the collection
   */
  public static <K, E> EntityCollection<K, E> sorted(
      Function<? super E, ? extends K> idOf, Comparator<? super E> order) {
    return new EntityCollection<>(Objects.requireNonNull(idOf, "idOf"),
        Objects.requireNonNull(order, "order"), LinkedHashMap.empty());
  }

  private EntityCollection<K, E> with(LinkedHashMap<K, E> map) {
    return map == byId ? this : new EntityCollection<>(idOf, order, map);
  }

  private K id(E entity) {
    return Objects.requireNonNull(idOf.apply(Objects.requireNonNull(entity, "entity")),
        "an entity's id is never null");
  }

  /** Adds {@code entity} unless its id is present (then returns this collection). */
  public EntityCollection<K, E> add(E entity) {
    K id = id(entity);
    return byId.containsKey(id) ? this : with(byId.put(id, entity));
  }

  /** Adds each entity whose id is not present yet. */
  public EntityCollection<K, E> addAll(Iterable<? extends E> entities) {
    EntityCollection<K, E> c = this;
    for (E e : entities) {
      c = c.add(e);
    }
    return c;
  }

  /** Inserts or replaces {@code entity}; returns this collection if an equal one is there. */
  public EntityCollection<K, E> upsert(E entity) {
    K id = id(entity);
    Option<E> existing = byId.get(id);
    if (existing.isDefined() && existing.get().equals(entity)) {
      return this;
    }
    return with(byId.put(id, entity));
  }

  /**
   * Replaces the entity with {@code id} by {@code fn} of it; returns this collection if there is
   * none or {@code fn} returns the same instance.
   *
   * @throws IllegalArgumentException if {@code fn} changes the entity's id
   */
  public EntityCollection<K, E> update(K id, UnaryOperator<E> fn) {
    Option<E> existing = byId.get(id);
    if (existing.isEmpty()) {
      return this;
    }
    E updated = fn.apply(existing.get());
    if (updated == existing.get()) {
      return this;
    }
    if (!id(updated).equals(id)) {
      throw new IllegalArgumentException(
          "an update must not change the entity's id (" + id + " -> " + id(updated) + ")");
    }
    return with(byId.put(id, updated));
  }

  /** Removes the entity with {@code id}; returns this collection if there is none. */
  public EntityCollection<K, E> remove(K id) {
    return byId.containsKey(id) ? with(byId.remove(id)) : this;
  }

  /** Removes the entities with these ids. */
  public EntityCollection<K, E> removeAll(Iterable<? extends K> ids) {
    EntityCollection<K, E> c = this;
    for (K id : ids) {
      c = c.remove(id);
    }
    return c;
  }

  /** The entity with {@code id}, if any. */
  public Option<E> get(K id) {
    return byId.get(id);
  }

  /** Whether an entity has {@code id}. */
  public boolean contains(K id) {
    return byId.containsKey(id);
  }

  /** The number of entities. */
  public int size() {
    return byId.size();
  }

  /** The entities, sorted by the collection's comparator, else in insertion order. */
  public Seq<E> all() {
    Seq<E> values = byId.values();
    return order == null ? values : values.sorted(order);
  }

  /** The ids, in the order of {@link #all()}. */
  public Seq<K> ids() {
    return all().map(idOf);
  }

  /** The entities by id, in insertion order. */
  public LinkedHashMap<K, E> asMap() {
    return byId;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof EntityCollection<?, ?> other && byId.equals(other.byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }

  @Override
  public String toString() {
    return "EntityCollection" + byId.values().mkString("[", ", ", "]");
  }
}
