package io.snapflux.file.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapflux.file.Durability;
import io.snapflux.file.FileStore;
import io.snapflux.file.FileStoreException;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.BackendUnavailableException;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.actuate.SnapfluxHealthContributorAutoConfiguration;
import io.snapflux.spring.actuate.StoreHealthContributor;
import io.snapflux.spring.metrics.SnapfluxMetricsAutoConfiguration;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.vavr.collection.List;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
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
    AtomicReference<Snapshot<Todos>> last = new AtomicReference<>();
    fileBackend("sync").run(context -> {
      assertThat(context).hasSingleBean(FileStoreBackend.class);
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThat(factory.backend().id()).isEqualTo("file");
      Store<Todos> todos = factory.get("todos");
      assertThat(todos).isInstanceOf(FileStore.class);
      assertThat(((FileStore<Todos>) todos).durability()).isEqualTo(Durability.SYNC);
      todos.update(t -> new Todos(t.items().append("write docs")));
      last.set(todos.update("ship it", t -> new Todos(t.items().append("ship"))));
      assertThat(todos.history().orElseThrow().canUndo()).as("history-size applies").isTrue();
    });
    assertThat(dir.resolve("todos").resolve("snapshot.dat")).exists();

    fileBackend("sync").run(context -> {
      Store<Todos> todos = context.getBean(StoreFactory.class).get("todos");
      assertThat(todos.snapshot().version()).isEqualTo(2);
      assertThat(todos.snapshot().state()).isEqualTo(new Todos(List.of("write docs", "ship")));
      assertThat(todos.snapshot().cause()).isEqualTo("ship it");
      assertThat(todos.snapshot().timestampMillis()).isEqualTo(last.get().timestampMillis());
      assertThat(context.getBean(StoreFactory.class).backend().details(todos))
          .containsEntry("durability", "sync")
          .containsEntry("durableVersion", 2L)
          .containsEntry("recoveredVersion", 2L)
          .containsEntry("stalled", false)
          .containsKeys("epoch", "pendingMillis");
      assertThat(context.getBean(StoreFactory.class).backend().isAvailable(todos)).isTrue();
    });
  }

  /** A store whose customizer adds a validator. */
  @Configuration(proxyBeanMethods = false)
  static class ValidatedStores {
    @Bean
    Store<Todos> todos(StoreFactory stores) {
      return stores.create("todos", new Todos(List.empty()),
          b -> b.validator("at most 2 todos", t -> t.items().size() <= 2));
    }
  }

  @Test
  void customizerValidator_rejectsInvalidUpdateOfFileStore_alsoAfterRestart() {
    ApplicationContextRunner validated = runner.withUserConfiguration(ValidatedStores.class)
        .withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir);
    validated.run(context -> {
      Store<Todos> todos = context.getBean(StoreFactory.class).get("todos");
      assertThat(todos).isInstanceOf(FileStore.class);
      todos.update(t -> new Todos(t.items().append("a")));
      todos.update(t -> new Todos(t.items().append("b")));
      assertThatThrownBy(() -> todos.update(t -> new Todos(t.items().append("c"))))
          .isInstanceOf(StateValidationException.class)
          .hasMessageContaining("at most 2 todos");
      assertThat(todos.snapshot().version()).isEqualTo(2);
    });

    validated.run(context -> {
      Store<Todos> todos = context.getBean(StoreFactory.class).get("todos");
      assertThat(todos.snapshot().version()).as("restored").isEqualTo(2);
      assertThatThrownBy(() -> todos.update(t -> new Todos(t.items().append("c"))))
          .as("the restored store keeps the customizer's validator")
          .isInstanceOf(StateValidationException.class);
      assertThat(todos.snapshot().state()).isEqualTo(new Todos(List.of("a", "b")));
    });
  }

  /** A state the journal cannot encode once {@code value} is negative: a failing journal. */
  record Fragile(int value) {
    @Override
    public int value() {
      if (value < 0) {
        throw new IllegalStateException("cannot encode " + value);
      }
      return value;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class FragileStores {
    @Bean
    Store<Fragile> fragile(StoreFactory stores) {
      return stores.create("fragile", new Fragile(0));
    }
  }

  @Test
  void journalFailure_makesTheBackendUnavailableAndHealthDown() {
    runner.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class,
            SnapfluxHealthContributorAutoConfiguration.class))
        .withUserConfiguration(FragileStores.class)
        .withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir)
        .run(context -> {
          StoreFactory factory = context.getBean(StoreFactory.class);
          Store<Fragile> fragile = factory.get("fragile");
          HealthIndicator health = (HealthIndicator) context
              .getBean(StoreHealthContributor.class).getContributor("fragile");
          fragile.update(f -> new Fragile(1));
          assertThat(factory.backend().isAvailable(fragile)).isTrue();
          assertThat(health.health().getStatus()).isEqualTo(Status.UP);

          assertThatThrownBy(() -> fragile.update(f -> new Fragile(-1)))
              .isInstanceOf(FileStoreException.class)
              .hasMessageContaining("cannot encode -1");
          assertThat(factory.backend().isAvailable(fragile)).isFalse();
          assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.health().getDetails())
              .containsEntry("durableVersion", 1L)
              .hasEntrySatisfying("journalFailure",
                  v -> assertThat(v.toString()).contains("cannot encode -1"));
          assertThatThrownBy(() -> fragile.update(f -> new Fragile(2)))
              .isInstanceOf(FileStoreException.class);
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
      assertThat(context.getBean(StoreFactory.class).backend().id()).isEqualTo("memory");
    });
  }

  @Test
  void withoutSnapfluxFile_backendFileFailsAsUnavailable() {
    runner.withClassLoader(new FilteredClassLoader(FileStore.class))
        .withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir)
        .run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause()
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("snapflux.backend=file")
            .hasMessageContaining("add the dependency io.snapflux:snapflux-file"));
  }

  @Test
  void durability_defaultsToSync() {
    runner.withUserConfiguration(AppStores.class)
        .withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir)
        .run(context -> assertThat(((FileStore<?>) context.getBean(StoreFactory.class)
            .get("todos")).durability()).isEqualTo(Durability.SYNC));
  }

  @Test
  void applicationsOwnFileStoreBackend_replacesTheAutoConfiguredOne() {
    FileStoreBackend mine = new FileStoreBackend(
        new SnapfluxFileProperties(dir.resolve("mine"), Durability.ASYNC), null);
    runner.withBean("myFileBackend", FileStoreBackend.class, () -> mine)
        .withUserConfiguration(AppStores.class)
        .withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir)
        .run(context -> {
          assertThat(context).hasSingleBean(FileStoreBackend.class);
          assertThat(context.getBean(StoreFactory.class).backend()).isSameAs(mine);
          assertThat(((FileStore<?>) context.getBean(StoreFactory.class).get("todos"))
              .directory()).isEqualTo(dir.resolve("mine").resolve("todos"));
        });
  }

  @Test
  void backendFile_withoutDirectory_failsNamingTheProperty() {
    runner.withPropertyValues("snapflux.backend=file")
        .run(context -> assertThat(context.getStartupFailure())
            .rootCause()
            .hasMessage("snapflux.file.directory must be set when snapflux.backend=file"));
  }

  @Test
  void backendFile_isSelectedIgnoringCase() {
    runner.withPropertyValues("snapflux.backend=FILE", "snapflux.file.directory=" + dir)
        .run(context -> assertThat(context.getBean(StoreFactory.class).backend())
            .isInstanceOf(FileStoreBackend.class));
  }

  @Test
  void badDurability_failsNamingTheProperty() {
    runner.withPropertyValues("snapflux.backend=file", "snapflux.file.directory=" + dir,
            "snapflux.file.durability=sometimes")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("Failed to bind properties under 'snapflux.file.durability'"));
  }

  @Test
  void configurationMetadata_isGeneratedForFileSettings() throws Exception {
    // Every module's metadata (the starter's comes first on some class paths): snapflux-file's.
    StringBuilder metadata = new StringBuilder();
    for (URL url : Collections.list(getClass().getClassLoader()
        .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        metadata.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertThat(metadata.toString()).contains("\"snapflux.file.directory\"",
        "\"snapflux.file.durability\"", SnapfluxFileProperties.class.getName());
  }

  @Test
  void autoConfiguration_isRegisteredBySnapfluxFile() throws Exception {
    assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
        .contains(FileBackendAutoConfiguration.class.getName())
        .doesNotContain("io.snapflux.spring.file.FileBackendAutoConfiguration");
  }

  @Test
  void metricsDisabled_noFileMeters() {
    fileBackend("sync")
        .withConfiguration(AutoConfigurations.of(SnapfluxMetricsAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("snapflux.metrics.enabled=false")
        .run(context -> {
          assertThat(context).doesNotHaveBean(FileMeters.class);
          assertThat(context.getBean(MeterRegistry.class).find("snapflux.file.fsyncs").meters())
              .isEmpty();
        });
  }

  @Test
  void withMetrics_fileStoresReportJournalMeters_removedWhenTheStoreCloses() {
    MeterRegistry meters = new SimpleMeterRegistry();
    fileBackend("sync")
        .withConfiguration(AutoConfigurations.of(SnapfluxMetricsAutoConfiguration.class))
        .withBean(MeterRegistry.class, () -> meters)
        .run(context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          Store<Todos> todos = context.getBean(StoreFactory.class).get("todos");
          double fsyncsBefore = registry.get("snapflux.file.fsyncs").tag("store", "todos")
              .functionCounter().count();

          todos.update(t -> new Todos(t.items().append("measure")));

          assertThat(registry.get("snapflux.file.fsyncs").tag("store", "todos")
              .functionCounter().count()).isGreaterThan(fsyncsBefore);
          assertThat(registry.get("snapflux.file.durable.version").tag("store", "todos")
              .gauge().value()).isEqualTo(1.0);
          assertThat(registry.get("snapflux.file.journal.bytes").tag("store", "todos")
              .gauge().value()).isPositive();
          assertThat(registry.get("snapflux.file.group.commit.size").tag("store", "todos")
              .gauge().value()).isPositive();
        });
    assertThat(meters.find("snapflux.file.fsyncs").meters()).isEmpty();
  }
}
