package io.snapflux.spring.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.file.Durability;
import io.snapflux.file.FileStore;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.SnapfluxProperties;
import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

final class FileBackendAutoConfigurationTest {

  @TempDir Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          SnapfluxAutoConfiguration.class, FileBackendAutoConfiguration.class));

  record Todos(List<String> items) {}

  @Configuration(proxyBeanMethods = false)
  static class AppStores {
    @Bean
    Store<Todos> todos(StoreFactory stores) {
      return stores.create("todos", new Todos(List.empty()));
    }
  }

  private ApplicationContextRunner fileBackend(String durability) {
    return runner.withUserConfiguration(AppStores.class).withPropertyValues(
        "snapflux.backend=file", "snapflux.file.directory=" + dir,
        "snapflux.file.durability=" + durability, "snapflux.stores.todos.history-size=5");
  }

  @Test
  void backendFile_storesAreFileStoresThatSurviveARestart() {
    fileBackend("sync").run(context -> {
      assertThat(context).hasSingleBean(FileStoreBackend.class);
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThat(factory.backend().kind()).isEqualTo(SnapfluxProperties.Backend.FILE);
      Store<Todos> todos = factory.get("todos");
      assertThat(todos).isInstanceOf(FileStore.class);
      assertThat(((FileStore<Todos>) todos).durability()).isEqualTo(Durability.SYNC);
      todos.update(t -> new Todos(t.items().append("write docs")));
      todos.update(t -> new Todos(t.items().append("ship")));
      assertThat(todos.canUndo()).as("history-size applies").isTrue();
    });
    assertThat(dir.resolve("todos").resolve("snapshot.dat")).exists();

    fileBackend("sync").run(context -> {
      Store<Todos> todos = context.getBean(StoreFactory.class).get("todos");
      assertThat(todos.snapshot().version()).isEqualTo(2);
      assertThat(todos.get()).isEqualTo(new Todos(List.of("write docs", "ship")));
      assertThat(context.getBean(StoreFactory.class).backend().details(todos))
          .containsEntry("durability", "sync")
          .containsEntry("durableVersion", 2L)
          .containsEntry("recoveredVersion", 2L);
    });
  }

  @Test
  void durabilityAsync_isPassedToTheStore() {
    fileBackend("async").run(context -> {
      Store<Todos> todos = context.getBean(StoreFactory.class).get("todos");
      assertThat(((FileStore<Todos>) todos).durability()).isEqualTo(Durability.ASYNC);
    });
  }

  @Test
  void backendMemory_contributesNoFileBackend() {
    runner.withPropertyValues("snapflux.file.directory=" + dir).run(context -> {
      assertThat(context).doesNotHaveBean(FileStoreBackend.class);
      assertThat(context.getBean(StoreFactory.class).backend().kind())
          .isEqualTo(SnapfluxProperties.Backend.MEMORY);
    });
  }

  @Test
  void withoutSnapfluxFile_backendFileFailsAsUnavailable() {
    runner.withClassLoader(new FilteredClassLoader(FileStore.class))
        .withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir)
        .run(context -> assertThat(context).hasFailed()
            .getFailure().hasMessageContaining("snapflux.backend=file"));
  }
}
