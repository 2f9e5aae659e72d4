package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.collection.HashMap;
import io.vavr.collection.Vector;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

final class ViewAndEntitiesTest {

  record Todo(String id, String title, boolean done) {}

  record AppState(HashMap<String, Integer> prices, String user) {}

  @Test
  void view_recomputesOnlyWhenItsInputChanges() {
    Store<AppState> store = Store.of(new AppState(HashMap.of("a", 1, "b", 2), "ann"));
    AtomicInteger computations = new AtomicInteger();
    View<Integer> total = View.of(store, AppState::prices, prices -> {
      computations.incrementAndGet();
      return prices.values().sum().intValue();
    });

    assertThat(total.get()).isEqualTo(3);
    store.update(s -> new AppState(s.prices(), "bob")); // prices instance unchanged
    assertThat(total.get()).isEqualTo(3);
    assertThat(computations).hasValue(1);
    assertThat(total.versions()).containsExactly(1L);

    store.update(s -> new AppState(s.prices().put("c", 3), s.user()));
    assertThat(total.get()).isEqualTo(6);
    assertThat(computations).hasValue(2);
  }

  @Test
  void view_changes_emitsOnlyWhenTheValueChanges() {
    Store<AppState> store = Store.of(new AppState(HashMap.of("a", 1), "ann"));
    View<Integer> count = View.of(store, s -> s.prices().size());

    StepVerifier.create(count.changes())
        .expectNext(1)
        .then(() -> store.update(s -> new AppState(s.prices(), "bob")))
        .then(() -> store.update(s -> new AppState(s.prices().put("z", 9), s.user())))
        .expectNext(2)
        .thenCancel()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void combine_reflectsBothStoresAndTheirVersions() {
    Store<Integer> a = Store.of(1);
    Store<Integer> b = Store.of(10);
    View<Integer> sum = View.combine(View.of(a, x -> x), View.of(b, x -> x), Integer::sum);

    a.update(x -> 2);

    assertThat(sum.get()).isEqualTo(12);
    assertThat(sum.versions()).isEqualTo(Vector.of(1L, 0L));
    StepVerifier.create(sum.changes())
        .expectNext(12)
        .then(() -> b.update(x -> 20))
        .expectNext(22)
        .thenCancel()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void keyed_viewsAreMemoizedPerKeyInABoundedCache() {
    Store<HashMap<String, Integer>> store = Store.of(HashMap.of("a", 1, "b", 2));
    Function<String, View<Integer>> byKey =
        View.keyed(store, (m, k) -> m.get(k).getOrElse(0), 10);

    View<Integer> a = byKey.apply("a");
    assertThat(byKey.apply("a")).isSameAs(a);
    assertThat(byKey.apply("b").get()).isEqualTo(2);
    Function<String, View<Integer>> small = View.keyed(store, (m, k) -> m.get(k).getOrElse(0), 1);
    View<Integer> first = small.apply("a");
    small.apply("b"); // evicts "a": the bound is 1
    assertThat(small.apply("a")).isNotSameAs(first);
    assertThatThrownBy(() -> View.keyed(store, (m, k) -> 0, 0))
        .hasMessageContaining("maximumKeys");
  }

  @Test
  void entities_addUpsertUpdateRemove() {
    EntityCollection<String, Todo> todos = EntityCollection.empty(Todo::id);

    todos = todos.add(new Todo("1", "write", false)).add(new Todo("2", "test", false));
    todos = todos.update("1", t -> new Todo(t.id(), t.title(), true));
    todos = todos.upsert(new Todo("3", "ship", false)).remove("2");

    assertThat(todos.ids()).containsExactly("1", "3");
    assertThat(todos.get("1").get().done()).isTrue();
    assertThat(todos.size()).isEqualTo(2);
  }

  @Test
  void entities_noOpOperations_returnTheSameInstanceSoTheStoreCommitsNothing() {
    Store<EntityCollection<String, Todo>> store =
        Store.of(EntityCollection.<String, Todo>empty(Todo::id).add(new Todo("1", "a", false)));

    store.update(c -> c.add(new Todo("1", "other", true))); // id exists: ignored
    store.update(c -> c.remove("missing"));
    store.update(c -> c.update("missing", t -> t));
    store.update(c -> c.upsert(new Todo("1", "a", false))); // equal entity

    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void entities_sortedViewAndIdChangeRejected() {
    EntityCollection<String, Todo> todos =
        EntityCollection.<String, Todo>sorted(Todo::id, Comparator.comparing(Todo::title))
            .add(new Todo("1", "zeta", false))
            .add(new Todo("2", "alpha", false));

    assertThat(todos.all().map(Todo::title)).containsExactly("alpha", "zeta");
    EntityCollection<String, Todo> finalTodos = todos;
    assertThatThrownBy(() -> finalTodos.update("1", t -> new Todo("9", t.title(), t.done())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not change the entity's id");
  }
}
