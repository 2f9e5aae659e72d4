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
import reactor.test.StepVerifier;

/**
 * The code shown in README.md and docs/guide.md, compiled and run so the examples cannot rot.
 * Each region between {@code // tag::name[]} and {@code // end::name[]} is copied verbatim.
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
    assertThat(store.get().byName().get("dark-mode").get().enabled()).isFalse();
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
    orders.updateWithEffects("place order", count -> Effects.of(count + 1,
        committed -> outbox.add("order #" + committed.state() + " placed")));
    // end::effects[]
    assertThat(outbox).containsExactly("order #1 placed");
  }

  @Test
  void undo() {
    // tag::undo[]
    Store<List<String>> todos = Store.builder(List.<String>empty()).history(100).build();
    todos.update(l -> l.append("write docs"));
    todos.update(l -> l.append("ship"));

    Snapshot<List<String>> undone = todos.undo(); // version 3, state of version 1
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
  void readme_showsEveryTaggedExampleVerbatim() throws IOException {
    String source = Files.readString(
        Path.of("src/test/java/io/snapflux/store/ReadmeExamplesTest.java"));
    String readme = normalize(Files.readString(Path.of("../README.md")));
    Matcher m = Pattern.compile("// tag::([a-z-]+)\\[]\\n(.*?)// end::\\1\\[]", Pattern.DOTALL)
        .matcher(source);
    int examples = 0;
    while (m.find()) {
      examples++;
      assertThat(readme).as("README.md shows example '%s' verbatim", m.group(1))
          .contains(normalize(m.group(2)));
    }
    assertThat(examples).isGreaterThanOrEqualTo(6);
  }

  /** Compares code regardless of indentation (README nests some examples in a list). */
  private static String normalize(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }
}
