package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The code shown in README.md and docs/guide.md, compiled and run so the examples cannot rot.
 * Each region between {@code // tag::name[]} and {@code // end::name[]} is shown verbatim in
 * README.md, or in docs/guide.md for tags named {@code guide-*}; a test checks it.
 */
final class ReadmeExamplesTest {

  // tag::state[]
  record Flag(boolean enabled, int rollout) {}

  record Flags(HashMap<String, Flag> byName) {
    static Flags initial() {
      return new Flags(HashMap.empty());
    }

    Flags with(String name, Flag flag) {
      return new Flags(byName.put(name, flag));
    }
  }
  // end::state[]

  @Test
  void quickStart() {
    // tag::quick-start[]
    Store<Flags> store = Store.builder(Flags.initial())
        .name("flags")
        .validator("rollout is a percentage", s -> s.byName().values()
            .forAll(f -> f.rollout() >= 0 && f.rollout() <= 100))
        .build();

    // Every change is a pure function, committed atomically as the next version.
    Snapshot<Flags> v1 = store.update("create dark-mode",
        s -> s.with("dark-mode", new Flag(true, 50)));

    // Optimistic concurrency: only applies if nobody changed the store since version 1.
    Outcome<Flags> outcome = store.updateIfVersion(v1.version(),
        s -> s.with("dark-mode", new Flag(false, 50)));

    // Subscribers get the current snapshot, then every newer one they have demand for.
    store.changes()
        .map(s -> s.version() + ": " + s.state().byName().keySet())
        .subscribe(System.out::println);
    // end::quick-start[]

    assertThat(v1.version()).isEqualTo(1);
    assertThat(outcome.applied()).isTrue();
    assertThat(store.snapshot().version()).isEqualTo(2);
    assertThat(store.snapshot().state().byName().get("dark-mode").get().enabled()).isFalse();
    store.close();
  }

  @Test
  void reducer() {
    // tag::reducer[]
    record Add(int amount) {}

    ActionStore<Integer, Add> counter = Store.builder(0)
        .build((state, action) -> state + action.amount());

    Snapshot<Integer> s = counter.dispatch(new Add(5)); // s.cause() is the action
    // end::reducer[]
    assertThat(s.state()).isEqualTo(5);
    assertThat(s.cause()).isEqualTo(new Add(5));
  }

  @Test
  void effects() {
    java.util.List<String> outbox = new java.util.concurrent.CopyOnWriteArrayList<>();
    Store<Integer> orders = Store.of(0);
    // tag::effects[]
    Stores.updateWithEffects(orders, "place order", count -> Effects.of(count + 1,
        committed -> outbox.add("order #" + committed.state() + " placed")));
    // end::effects[]
    assertThat(outbox).containsExactly("order #1 placed");
  }

  @Test
  void asyncWrites() {
    Store<Integer> counter = Store.of(0);
    // tag::async[]
    // The same writes as a Mono, for WebFlux: memory completes at once, the file backend when
    // the version is durable, Redis on its round trip. Never blocks the subscribing thread.
    Mono<Snapshot<Integer>> next = counter.async().update("increment", n -> n + 1);
    Mono<Outcome<Integer>> ifMatch = counter.async().updateIfVersion(1, "reset", n -> 0);
    // end::async[]
    StepVerifier.create(next.then(ifMatch).map(o -> o.snapshot().state()))
        .expectNext(0)
        .verifyComplete();
  }

  @Test
  void undo() {
    // tag::undo[]
    Store<List<String>> todos = Store.builder(List.<String>empty()).history(100).build();
    todos.update(l -> l.append("write docs"));
    todos.update(l -> l.append("ship"));

    History<List<String>> history = todos.history().orElseThrow(); // present: history(100)
    Snapshot<List<String>> undone = history.undo("alice"); // version 3, state of version 1
    // end::undo[]
    assertThat(undone.version()).isEqualTo(3);
    assertThat(undone.state()).containsExactly("write docs");
  }

  @Test
  void losslessAndSelect() {
    Store<Flags> store = Store.of(Flags.initial());
    // tag::lossless[]
    // Every version, in order; fails with SubscriberLagException if 1,000 versions behind.
    store.changes(Delivery.lossless(1_000))
        .subscribe(s -> System.out.println("audit " + s.version() + " " + s.cause()));

    // Only the number of flags, emitted when it changes.
    store.select(s -> s.byName().size())
        .subscribe(n -> System.out.println(n + " flags"));
    // end::lossless[]
    StepVerifier.create(store.select(s -> s.byName().size()))
        .expectNext(0)
        .then(() -> store.update(s -> s.with("a", new Flag(true, 1))))
        .expectNext(1)
        .thenCancel()
        .verify(Duration.ofSeconds(10));
    store.close();
  }

  @Test
  void guideExamples() {
    // tag::guide-change-events[]
    Store<Integer> counter = Store.of(0);
    Stores.changeEvents(counter)
        .subscribe(c -> System.out.println(
            c.before().state() + " -> " + c.after().state() + " because " + c.cause()));
    counter.update("increment", n -> n + 1); // prints "0 -> 1 because increment"
    // end::guide-change-events[]

    // tag::guide-interceptor[]
    Store<Integer> audited = Store.builder(0)
        .interceptor(new Interceptor<>() {
          @Override
          public void beforeCommit(Snapshot<Integer> current, Integer proposed, Object cause) {
            if (proposed > 1_000) {
              throw new CommitVetoedException("at most 1,000, was " + proposed);
            }
          }

          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            System.out.println("audit: version " + committed.version() + " " + committed.cause());
          }
        })
        .build();
    // end::guide-interceptor[]
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> audited.update(n -> 2_000))
        .isInstanceOf(CommitVetoedException.class);

    // tag::guide-batch[]
    Snapshot<Integer> once = Stores.updateAll(audited, "three steps",
        List.of(n -> n + 1, n -> n * 10, n -> n - 3)); // one version, one emission
    // end::guide-batch[]
    assertThat(once.version()).isEqualTo(1);
    assertThat(once.state()).isEqualTo(7);

    // tag::guide-view[]
    Store<Flags> flags = Store.of(Flags.initial());
    View<Integer> enabledCount = View.of(flags, Flags::byName,
        byName -> byName.values().count(Flag::enabled)); // recomputed only when byName changes
    flags.update(s -> s.with("beta", new Flag(true, 10)));
    int enabled = enabledCount.get(); // 1, reflecting enabledCount.versions() = [1]
    // end::guide-view[]
    assertThat(enabled).isEqualTo(1);
    assertThat(enabledCount.versions()).containsExactly(1L);

    // tag::guide-entities[]
    record Todo(String id, String title, boolean done) {}

    Store<EntityCollection<String, Todo>> todos =
        Store.of(EntityCollection.<String, Todo>empty(Todo::id));
    todos.update(c -> c.add(new Todo("1", "write docs", false)));
    todos.update(c -> c.update("1", t -> new Todo(t.id(), t.title(), true)));
    todos.update(c -> c.remove("no-such-id")); // changes nothing: no new version
    // end::guide-entities[]
    assertThat(todos.snapshot().version()).isEqualTo(2);
    assertThat(todos.snapshot().state().get("1").get().done()).isTrue();
  }

  // tag::guide-state-type[]
  record Item(String name, int quantity) {}
  // end::guide-state-type[]

  @Test
  void guideStateType() throws IOException {
    // tag::guide-state-type-codec[]
    TypeRef<List<Item>> type = new TypeRef<>() {}; // List<Item>, not List.empty()'s List$Nil
    JsonStateCodec<List<Item>> codec = JsonStateCodec.of(type);
    List<Item> items = codec.decode(codec.encode(List.of(new Item("pear", 2))));
    // items.head() is an Item, not a JSON map
    // end::guide-state-type-codec[]
    assertThat(items.head()).isEqualTo(new Item("pear", 2));
  }

  @Test
  void readme_showsEveryTaggedExampleVerbatim() throws IOException {
    String source = Files.readString(
        Path.of("src/test/java/io/snapflux/store/ReadmeExamplesTest.java"));
    String readme = normalize(Files.readString(Path.of("../README.md")));
    String guide = normalize(Files.readString(Path.of("../docs/guide.md")));
    Matcher m = Pattern.compile("// tag::([a-z-]+)\\[]\\n(.*?)// end::\\1\\[]", Pattern.DOTALL)
        .matcher(source);
    int examples = 0;
    while (m.find()) {
      examples++;
      boolean forGuide = m.group(1).startsWith("guide-");
      assertThat(forGuide ? guide : readme)
          .as("%s shows example '%s' verbatim", forGuide ? "docs/guide.md" : "README.md", m.group(1))
          .contains(normalize(m.group(2)));
    }
    assertThat(examples).isGreaterThanOrEqualTo(11);
  }

  /** Compares code regardless of indentation (README nests some examples in a list). */
  private static String normalize(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }
}
