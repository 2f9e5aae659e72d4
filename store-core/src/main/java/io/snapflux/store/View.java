package io.snapflux.store;

import io.vavr.collection.Vector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A derived value over one store, or over several combined: a synchronous {@link #get()}, a
 * {@link Flux} of its changes, the source versions it reflects, and memoization in the manner of
 * Reselect: the (possibly costly) computation runs again only when its input changes, compared
 * by identity. Persistent collections keep the same instance for an unchanged part of the
 * state, so a view over one part of a large state is recomputed only when that part changes.
 *
 * <p>Views are thread-safe. Concurrent readers may both compute a new value (the computation
 * must be pure); either result is kept, which is a benign race.
 *
 * <p>A view over several stores combines values that each store committed; as the stores are
 * independent, the combination is not an atomic snapshot across them, but {@link
 * Versioned#versions()} says exactly which versions it reflects.
 *
 * @param <T> the type of the derived value
 */
public final class View<T> {

  /**
   * A derived value and the versions of the sources it was computed from, in source order.
   *
   * @param value the value
   * @param versions the source versions
   * @param <T> the type of the value
   */
  public record Versioned<T>(T value, Vector<Long> versions) {}

  private final Supplier<Versioned<T>> current;
  private final Flux<Versioned<T>> changes;

  private View(Supplier<Versioned<T>> current, Flux<Versioned<T>> changes) {
    this.current = current;
    this.changes = changes;
  }

  /**
   * A view of {@code selector} applied to the store's state, memoized on the state.
   *
   * @param store the source
   * @param selector a pure function of the state
   * @param <S> the state type
   * @param <T> the view type
   * @return the view
   */
  public static <S, T> View<T> of(Store<S> store, Function<? super S, ? extends T> selector) {
    return of(store, Function.identity(), selector);
  }

  /**
   * A view that projects an input out of the state (cheap, run on every read) and computes the
   * value from it (possibly costly, run only when the input instance changes).
   *
   * @param store the source
   * @param input a cheap pure projection of the state
   * @param compute a pure function of the input
   * @param <S> the state type
   * @param <I> the input type
   * @param <T> the view type
   * @return the view
   */
  public static <S, I, T> View<T> of(
      Store<S> store, Function<? super S, ? extends I> input,
      Function<? super I, ? extends T> compute) {
    Objects.requireNonNull(store, "store");
    Memo<I, T> memo = new Memo<>(Objects.requireNonNull(compute, "compute"));
    Objects.requireNonNull(input, "input");
    Function<Snapshot<S>, Versioned<T>> derive = snapshot -> new Versioned<>(
        memo.apply(input.apply(snapshot.state())), Vector.of(snapshot.version()));
    return new View<>(() -> derive.apply(store.snapshot()), store.changes().map(derive));
  }

  /**
   * A view combining two views, memoized on the pair of their values.
   *
   * @param a the first view
   * @param b the second view
   * @param combiner a pure function of both values
   * @param <A> the first view's type
   * @param <B> the second view's type
   * @param <T> the combined type
   * @return the view
   */
  public static <A, B, T> View<T> combine(
      View<A> a, View<B> b, BiFunction<? super A, ? super B, ? extends T> combiner) {
    Objects.requireNonNull(combiner, "combiner");
    Memo<Pair<A, B>, T> memo = new Memo<>(p -> combiner.apply(p.a(), p.b()));
    BiFunction<Versioned<A>, Versioned<B>, Versioned<T>> derive = (va, vb) -> new Versioned<>(
        memo.apply(new Pair<>(va.value(), vb.value())), va.versions().appendAll(vb.versions()));
    return new View<>(() -> derive.apply(a.current(), b.current()),
        Flux.combineLatest(a.changes, b.changes, derive));
  }

  /**
   * Views of one store keyed by a parameter (Reselect's "selector factories", e.g. one view per
   * entity id), each memoized, kept in a cache bounded to {@code maximumKeys} entries (least
   * recently used evicted first). The cache is the JDK's access-ordered {@link LinkedHashMap},
   * guarded by its own monitor: only looking a key's view up takes it, never a store update, and
   * store-core stays free of dependencies beyond Reactor and Vavr.
   *
   * @param store the source
   * @param selector a pure function of the state and the key
   * @param maximumKeys how many keyed views to keep
   * @param <S> the state type
   * @param <K> the key type
   * @param <T> the view type
   * @return a function from key to its view
   */
  public static <S, K, T> Function<K, View<T>> keyed(
      Store<S> store, BiFunction<? super S, ? super K, ? extends T> selector, int maximumKeys) {
    if (maximumKeys <= 0) {
      throw new IllegalArgumentException("maximumKeys must be positive, was " + maximumKeys);
    }
    Map<K, View<T>> cache = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, View<T>> eldest) {
        return size() > maximumKeys;
      }
    };
    return key -> {
      synchronized (cache) {
        return cache.computeIfAbsent(key, k -> of(store, s -> selector.apply(s, k)));
      }
    };
  }

  /** The current value; recomputed only if its input changed since the last read. */
  public T get() {
    return current.get().value();
  }

  /** The current value with the source versions it reflects. */
  public Versioned<T> current() {
    return current.get();
  }

  /** The source versions the current value reflects, in source order. */
  public Vector<Long> versions() {
    return current.get().versions();
  }

  /**
   * The current value, then each new value: emitted only when the value changes (by {@code
   * equals}). Conflated, like {@link Store#changes()}.
   *
   * @return a hot stream of values
   */
  public Flux<T> changes() {
    return changes.map(Versioned::value).distinctUntilChanged();
  }

  /**
   * Like {@link #changes()}, with the source versions of each value.
   *
   * @return a hot stream of versioned values
   */
  public Flux<Versioned<T>> versionedChanges() {
    return changes;
  }

  private record Pair<A, B>(A a, B b) {}

  /** One-entry memo keyed by input identity (pair components by identity). */
  private static final class Memo<I, T> {
    private final Function<? super I, ? extends T> compute;
    private volatile @Nullable Entry<I, T> last;

    Memo(Function<? super I, ? extends T> compute) {
      this.compute = compute;
    }

    T apply(I input) {
      Entry<I, T> e = last;
      if (e != null && same(e.input, input)) {
        return e.value;
      }
      T value = Objects.requireNonNull(compute.apply(input), "a view computed null");
      last = new Entry<>(input, value);
      return value;
    }

    private static boolean same(Object x, Object y) {
      if (x instanceof Pair<?, ?> p && y instanceof Pair<?, ?> q) {
        return p.a() == q.a() && p.b() == q.b();
      }
      return x == y;
    }

    private record Entry<I, T>(I input, T value) {}
  }
}
