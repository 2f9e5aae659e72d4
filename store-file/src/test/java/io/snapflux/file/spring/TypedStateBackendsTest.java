package io.snapflux.file.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.TypedStateStores;
import io.snapflux.spring.TypedStateStores.Todo;
import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.snapflux.store.TypeRef;
import io.vavr.collection.List;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link TypedStateStores} on the memory and file backends (the Redis backend:
 * {@code SnapfluxRedisAutoConfigurationTest} in snapflux-redis): the stores take updates, and
 * after a restart the file stores come back equal, decoded as the declared types.
 */
final class TypedStateBackendsTest {

  @TempDir Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          SnapfluxAutoConfiguration.class, FileBackendAutoConfiguration.class));

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
    ApplicationContextRunner app = backend(backend)
        .withUserConfiguration(TypedStateStores.Declared.class);
    app.run(context -> {
      assertThat(context).hasNotFailed();
      TypedStateStores.write(context.getBean(StoreFactory.class));
      if (backend.equals("memory")) {
        // Nothing survives a restart: check the decoding-free path on the same instance.
        TypedStateStores.assertDecoded(context.getBean(StoreFactory.class));
      }
    });
    if (!backend.equals("memory")) {
      app.run(context -> TypedStateStores.assertDecoded(context.getBean(StoreFactory.class)));
    }
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
      assertThat(store.snapshot().state()).isEqualTo(backend.equals("memory") ? List.empty() : List.of(todo));
      assertThat(store.snapshot().state()).allMatch(Todo.class::isInstance);
    });
  }
}
