package io.snapflux.redis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.redis.RedisServerProcess;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.io.IOException;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code redis} backend of the starter encodes with the store's declared type: a store
 * created with {@code List.empty()} (a {@code List$Nil}) or {@code HashMap.empty()} takes updates,
 * and a second application instance decodes them as the declared {@code Todo}s. The same stores
 * on the memory and file backends: {@code TypedStateBackendsTest} in the starter.
 */
final class TypedStateRedisBackendTest {

  record Todo(String title, boolean done) {}

  record Board(String owner, List<Todo> todos) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static RedisServerProcess server;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
          SnapfluxAutoConfiguration.class, SnapfluxRedisAutoConfiguration.class));

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

  @BeforeAll
  static void startRedis() throws IOException {
    server = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    server.stop();
  }

  private ApplicationContextRunner redisBackend() {
    return runner.withPropertyValues("snapflux.backend=redis",
        "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
        "snapflux.redis.write-timeout=2s");
  }

  @Test
  void beanMethod_emptyVavrList_roundTripsAsDeclaredType() {
    Todo first = new Todo("write docs", false);
    Todo second = new Todo("ship", true);
    ApplicationContextRunner app = redisBackend().withUserConfiguration(BeanDeclaredStores.class);
    app.run(one -> app.run(two -> {
      assertThat(one).hasNotFailed();
      assertThat(two).hasNotFailed();
      Store<List<Todo>> todos = one.getBean(StoreFactory.class).get("todos");
      Store<HashMap<String, Todo>> byId = one.getBean(StoreFactory.class).get("by-id");
      Store<Board> board = one.getBean(StoreFactory.class).get("board");

      assertThat(todos.update(l -> l.append(first)).version()).isEqualTo(1);
      assertThat(todos.update(l -> l.append(second)).state()).containsExactly(first, second);
      assertThat(byId.update(m -> m.put("1", first)).state()).isEqualTo(HashMap.of("1", first));
      assertThat(board.update(b -> new Board(b.owner(), b.todos().prepend(second))).version())
          .isEqualTo(1);

      // The other instance decodes what this one wrote, as the declared types.
      Store<List<Todo>> todos2 = two.getBean(StoreFactory.class).get("todos");
      Store<HashMap<String, Todo>> byId2 = two.getBean(StoreFactory.class).get("by-id");
      Store<Board> board2 = two.getBean(StoreFactory.class).get("board");
      Awaitility.await().atMost(TIMEOUT).until(() -> todos2.snapshot().version() == 2
          && byId2.snapshot().version() == 1 && board2.snapshot().version() == 1);
      assertThat(todos2.get()).containsExactly(first, second);
      assertThat(todos2.get().head()).isInstanceOf(Todo.class);
      assertThat(byId2.get().get("1").get()).isInstanceOf(Todo.class).isEqualTo(first);
      assertThat(board2.get()).isEqualTo(new Board("ann", List.of(second)));

      // And writes on a state it decoded.
      assertThat(todos2.update(l -> l.tail()).state()).containsExactly(second);
      Awaitility.await().atMost(TIMEOUT).until(() -> todos.snapshot().version() == 3);
      assertThat(todos.get()).containsExactly(second);
    }));
  }

  @Test
  void createWithTypeRef_emptyVavrListOutsideBeanMethod_roundTripsAsDeclaredType() {
    Todo todo = new Todo("review", false);
    TypeRef<List<Todo>> type = new TypeRef<>() {};
    redisBackend().run(one -> redisBackend().run(two -> {
      Store<List<Todo>> store =
          one.getBean(StoreFactory.class).create("typed", type, List.empty());
      Store<List<Todo>> other =
          two.getBean(StoreFactory.class).create("typed", type, List.empty());

      assertThat(store.update(l -> l.append(todo)).state()).containsExactly(todo);

      Awaitility.await().atMost(TIMEOUT).until(() -> other.snapshot().version() == 1);
      assertThat(other.get()).containsExactly(todo);
      assertThat(other.get().head()).isInstanceOf(Todo.class);
    }));
  }
}
