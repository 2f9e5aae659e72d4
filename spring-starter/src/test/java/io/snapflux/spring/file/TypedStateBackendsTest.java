package io.snapflux.spring.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Stores whose initial state's runtime class is not their declared type ({@code List.empty()} is
 * a {@code List$Nil}; a {@code HashMap}'s class does not say what its values are) work the same on
 * every {@code snapflux.backend} the starter ships: they take updates, and after a restart the
 * state comes back equal, its elements decoded as the declared {@code Todo}s.
 */
final class TypedStateBackendsTest {

  record Todo(String title, boolean done) {}

  record Board(String owner, List<Todo> todos) {}

  @TempDir Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          SnapfluxAutoConfiguration.class, FileBackendAutoConfiguration.class));

  /** The application declares its stores' types only through its @Bean methods' return types. */
  @Configuration(proxyBeanMethods = false)
  static class BeanDeclaredStores {
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

  private ApplicationContextRunner backend(String backend) {
    return switch (backend) {
      case "memory" -> runner.withPropertyValues("snapflux.backend=memory");
      case "file-sync", "file-async" -> runner.withPropertyValues("snapflux.backend=file",
          "snapflux.file.directory=" + dir,
          "snapflux.file.durability=" + backend.substring("file-".length()));
      default -> throw new IllegalArgumentException(backend);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file-sync", "file-async"})
  void beanMethod_emptyVavrList_roundTripsAsDeclaredType(String backend) {
    Todo first = new Todo("write docs", false);
    Todo second = new Todo("ship", true);
    backend(backend).withUserConfiguration(BeanDeclaredStores.class).run(context -> {
      assertThat(context).hasNotFailed();
      StoreFactory factory = context.getBean(StoreFactory.class);
      Store<List<Todo>> todos = factory.get("todos");
      Store<HashMap<String, Todo>> byId = factory.get("by-id");
      Store<Board> board = factory.get("board");

      assertThat(todos.update(l -> l.append(first)).version()).isEqualTo(1);
      assertThat(todos.update(l -> l.append(second)).state()).containsExactly(first, second);
      assertThat(byId.update(m -> m.put("1", first)).state()).isEqualTo(HashMap.of("1", first));
      assertThat(board.update(b -> new Board(b.owner(), b.todos().prepend(second))).version())
          .isEqualTo(1);
    });

    backend(backend).withUserConfiguration(BeanDeclaredStores.class).run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      Store<List<Todo>> todos = factory.get("todos");
      Store<HashMap<String, Todo>> byId = factory.get("by-id");
      Store<Board> board = factory.get("board");
      if (backend.equals("memory")) {
        assertThat(todos.snapshot().version()).as("memory keeps nothing").isZero();
        return;
      }
      assertThat(todos.snapshot().version()).isEqualTo(2);
      assertThat(todos.get()).containsExactly(first, second);
      assertThat(todos.get().head()).isInstanceOf(Todo.class);
      assertThat(byId.get()).isEqualTo(HashMap.of("1", first));
      assertThat(byId.get().get("1").get()).isInstanceOf(Todo.class);
      assertThat(board.get()).isEqualTo(new Board("ann", List.of(second)));
      // A store restored from its files takes further updates.
      assertThat(todos.update(l -> l.tail()).state()).containsExactly(second);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file-sync", "file-async"})
  void createWithTypeRef_emptyVavrListOutsideBeanMethod_roundTripsAsDeclaredType(String backend) {
    Todo todo = new Todo("review", false);
    TypeRef<List<Todo>> type = new TypeRef<>() {};
    backend(backend).run(context -> {
      Store<List<Todo>> store =
          context.getBean(StoreFactory.class).create("typed", type, List.empty());
      assertThat(store.update(l -> l.append(todo)).state()).containsExactly(todo);
    });
    backend(backend).run(context -> {
      Store<List<Todo>> store =
          context.getBean(StoreFactory.class).create("typed", type, List.empty());
      assertThat(store.get()).isEqualTo(backend.equals("memory") ? List.empty() : List.of(todo));
    });
  }
}
