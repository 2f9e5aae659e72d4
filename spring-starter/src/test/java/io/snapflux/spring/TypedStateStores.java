package io.snapflux.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.store.Store;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Stores whose initial state's runtime class is not their declared type, for the backend tests
 * of every module (shared through this module's test-jar): {@code List.empty()} is a {@code
 * List$Nil}, a {@code HashMap}'s class does not say what its values are. {@link #write} commits
 * through one application; {@link #assertDecoded} checks, through another (restarted, or a second
 * instance), that the states come back as the declared {@code Todo}s and still take updates.
 */
public final class TypedStateStores {

  /** The element type: a record, so an erased decode would yield JSON maps instead. */
  public record Todo(String title, boolean done) {}

  /** A record whose component is an empty Vavr list at first. */
  public record Board(String owner, List<Todo> todos) {}

  static final Todo FIRST = new Todo("write docs", false);
  static final Todo SECOND = new Todo("ship", true);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private TypedStateStores() {}

  /** The application declares its stores' types only through its @Bean methods' return types. */
  @Configuration(proxyBeanMethods = false)
  public static class Declared {
    @Bean
    Store<List<Todo>> todos(StoreFactory stores) {
      return stores.create("todos", List.empty());
    }

    @Bean
    Store<HashMap<String, Todo>> byId(StoreFactory stores) {
      return stores.create("by-id", HashMap.empty());
    }

    @Bean
    Store<Board> board(StoreFactory stores) {
      return stores.create("board", new Board("ann", List.empty()));
    }
  }

  /** Commits two versions of {@code todos} and one of {@code by-id} and {@code board}. */
  public static void write(StoreFactory factory) {
    Store<List<Todo>> todos = factory.get("todos");
    Store<HashMap<String, Todo>> byId = factory.get("by-id");
    Store<Board> board = factory.get("board");

    assertThat(todos.update(l -> l.append(FIRST)).version()).isEqualTo(1);
    assertThat(todos.update(l -> l.append(SECOND)).state()).containsExactly(FIRST, SECOND);
    assertThat(byId.update(m -> m.put("1", FIRST)).state()).isEqualTo(HashMap.of("1", FIRST));
    assertThat(board.update(b -> new Board(b.owner(), b.todos().prepend(SECOND))).version())
        .isEqualTo(1);
  }

  /**
   * Waits until {@code factory}'s stores show what {@link #write} committed, checks the decoded
   * element types, then commits version 3 of {@code todos} (dropping its head).
   */
  public static void assertDecoded(StoreFactory factory) {
    Store<List<Todo>> todos = factory.get("todos");
    Store<HashMap<String, Todo>> byId = factory.get("by-id");
    Store<Board> board = factory.get("board");
    Awaitility.await().atMost(TIMEOUT).until(() -> todos.snapshot().version() == 2
        && byId.snapshot().version() == 1 && board.snapshot().version() == 1);

    assertThat(todos.snapshot().state()).containsExactly(FIRST, SECOND);
    assertThat(todos.snapshot().state().head()).isInstanceOf(Todo.class);
    assertThat(byId.snapshot().state().get("1").get()).isInstanceOf(Todo.class).isEqualTo(FIRST);
    assertThat(board.snapshot().state()).isEqualTo(new Board("ann", List.of(SECOND)));
    assertThat(todos.update(List::tail).state()).containsExactly(SECOND);
  }
}
