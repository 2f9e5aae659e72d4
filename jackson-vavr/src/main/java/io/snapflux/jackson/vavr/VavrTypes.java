package io.snapflux.jackson.vavr;

import io.vavr.collection.Array;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import io.vavr.collection.IndexedSeq;
import io.vavr.collection.LinearSeq;
import io.vavr.collection.LinkedHashMap;
import io.vavr.collection.LinkedHashSet;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.Queue;
import io.vavr.collection.Seq;
import io.vavr.collection.Set;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.Stream;
import io.vavr.collection.Traversable;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.collection.Vector;
import java.util.Comparator;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The Vavr collection types the module reads, each with the factory that builds it from the
 * elements (or entries) read, in JSON order. Exact classes and the interfaces a state may declare
 * ({@code Seq}, {@code Set}, {@code Map}, …) are listed; other Vavr collections (CharSeq, BitSet,
 * PriorityQueue, Tree, Multimap, Iterator) are refused with an error naming them.
 */
final class VavrTypes {

  private VavrTypes() {}

  /** Builds a sequence or set from the elements read; {@code sorted} types need Comparable. */
  record SeqKind(String name, boolean sorted,
      Function<java.util.List<@Nullable Object>, Traversable<?>> factory) {}

  /** Builds a map from the entries read, in JSON order. */
  record MapKind(String name, boolean sorted,
      Function<java.util.Map<Object, @Nullable Object>, Map<?, ?>> factory) {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Comparator<Object> NATURAL = (Comparator) Comparator.naturalOrder();

  static @Nullable SeqKind seqKind(Class<?> raw) {
    // Exact classes first, then the interfaces from the most to the least specific.
    if (raw == List.class || raw == LinearSeq.class || raw == Seq.class
        || raw == Traversable.class) {
      return new SeqKind(raw.getSimpleName(), false, List::ofAll);
    }
    if (raw == Vector.class || raw == IndexedSeq.class) {
      return new SeqKind(raw.getSimpleName(), false, Vector::ofAll);
    }
    if (raw == Queue.class) {
      return new SeqKind("Queue", false, Queue::ofAll);
    }
    if (raw == Array.class) {
      return new SeqKind("Array", false, Array::ofAll);
    }
    if (Stream.class.isAssignableFrom(raw)) {
      return new SeqKind("Stream", false, Stream::ofAll);
    }
    if (raw == HashSet.class || raw == Set.class) {
      return new SeqKind(raw.getSimpleName(), false, HashSet::ofAll);
    }
    if (raw == LinkedHashSet.class) {
      return new SeqKind("LinkedHashSet", false, LinkedHashSet::ofAll);
    }
    if (raw == TreeSet.class || raw == SortedSet.class) {
      return new SeqKind(raw.getSimpleName(), true, elements -> TreeSet.ofAll(NATURAL, elements));
    }
    return null;
  }

  static @Nullable MapKind mapKind(Class<?> raw) {
    if (raw == HashMap.class || raw == Map.class) {
      return new MapKind(raw.getSimpleName(), false, HashMap::ofAll);
    }
    if (raw == LinkedHashMap.class) {
      return new MapKind("LinkedHashMap", false, LinkedHashMap::ofAll);
    }
    if (raw == TreeMap.class || raw == SortedMap.class) {
      return new MapKind(raw.getSimpleName(), true, entries -> TreeMap.ofAll(NATURAL, entries));
    }
    return null;
  }

  /** Whether the module writes {@code raw} as an array (the types {@link #seqKind} reads). */
  static boolean isSupportedTraversable(Class<?> raw) {
    boolean seq = Seq.class.isAssignableFrom(raw)
        && !io.vavr.collection.CharSeq.class.isAssignableFrom(raw)
        && !io.vavr.collection.Iterator.class.isAssignableFrom(raw);
    boolean set = Set.class.isAssignableFrom(raw)
        && !io.vavr.collection.BitSet.class.isAssignableFrom(raw);
    return seq || set || raw == Traversable.class;
  }
}
