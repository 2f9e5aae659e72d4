package io.snapflux.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapflux.spring.actuate.SnapfluxEndpoint;
import io.snapflux.spring.actuate.SnapfluxEndpointAutoConfiguration;
import io.snapflux.spring.actuate.SnapfluxHealthContributorAutoConfiguration;
import io.snapflux.spring.actuate.StoreHealthContributor;
import io.snapflux.spring.metrics.SnapfluxMetricsAutoConfiguration;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.vavr.collection.List;
import java.time.Duration;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.codec.ServerSentEvent;
import reactor.test.StepVerifier;

final class SnapfluxAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SnapfluxAutoConfiguration.class));

  record Counter(int value) {}

  @Configuration(proxyBeanMethods = false)
  static class AppStores {
    @Bean
    Store<Counter> counter(StoreFactory stores) {
      return stores.create("counter", new Counter(0));
    }
  }

  @Test
  void defaults_provideStoreFactoryOnMemoryBackend() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(StoreFactory.class);
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThat(factory.backend().id()).isEqualTo("memory");
      assertThat(factory.settings("any")).isEqualTo(SnapfluxProperties.StoreProperties.DEFAULTS);
    });
  }

  @Test
  void userStoreFactory_wins() {
    StoreFactory mine = new ManagedStoreFactory(
        SnapfluxProperties.defaults(), new MemoryStoreBackend(), java.util.List.of());
    runner.withBean("myFactory", StoreFactory.class, () -> mine).run(context -> {
      assertThat(context).hasSingleBean(StoreFactory.class);
      assertThat(context.getBean(StoreFactory.class)).isSameAs(mine);
    });
  }

  @Test
  void storeBean_isCreatedAndRegistered() {
    runner.withUserConfiguration(AppStores.class).run(context -> {
      Store<Counter> store = context.getBean(Store.class);
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThat(factory.stores()).containsOnlyKeys("counter");
      assertThat(factory.<Counter>get("counter")).isSameAs(store);
      assertThat(store.name()).isEqualTo("counter");
      assertThatThrownBy(() -> factory.get("missing"))
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("missing")
          .hasMessageContaining("counter");
    });
  }

  @Test
  void create_duplicateName_fails() {
    runner.withUserConfiguration(AppStores.class).run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThatThrownBy(() -> factory.create("counter", new Counter(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'counter' already exists");
    });
  }

  @Test
  void create_appliesEqualityProperty() {
    runner.withPropertyValues("snapflux.stores.eq.equality=equals").run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      Store<Counter> equalsStore = factory.create("eq", new Counter(1));
      Store<Counter> identityStore = factory.create("id", new Counter(1));
      assertThat(equalsStore.update(c -> new Counter(c.value())).version()).isZero();
      assertThat(identityStore.update(c -> new Counter(c.value())).version()).isOne();
    });
  }

  @Test
  void create_appliesHistorySizeProperty() {
    runner.withPropertyValues("snapflux.stores.counter.history-size=2")
        .withUserConfiguration(AppStores.class)
        .run(context -> {
          Store<Counter> store = context.getBean(Store.class);
          for (int i = 1; i <= 5; i++) {
            int v = i;
            store.update(c -> new Counter(v));
          }
          assertThat(store.history().orElseThrow().versions().map(Snapshot::version)).containsExactly(4L, 5L);
          assertThat(store.history().orElseThrow().undo(null).state()).isEqualTo(new Counter(4));
        });
  }

  @Test
  void create_withoutHistoryEntry_keepsDefaultHistoryOf100() {
    runner.withUserConfiguration(AppStores.class).run(context -> {
      Store<Counter> store = context.getBean(Store.class);
      for (int i = 1; i <= 150; i++) {
        int v = i;
        store.update(c -> new Counter(v));
      }
      assertThat(store.history().orElseThrow().versions()).hasSize(100);
      assertThat(store.history().orElseThrow().versions().head().version()).isEqualTo(51);
    });
  }

  @Test
  void create_customizerRunsAfterProperties() {
    runner.withPropertyValues("snapflux.stores.c.history-size=50").run(context -> {
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create("c", new Counter(0), builder -> builder.history(1)
              .validator("value must not be negative", c -> c.value() >= 0));
      store.update(c -> new Counter(1));
      store.update(c -> new Counter(2));
      assertThat(store.history().orElseThrow().versions().map(Snapshot::version)).containsExactly(2L);
      assertThatThrownBy(() -> store.update(c -> new Counter(-1)))
          .hasMessageContaining("value must not be negative");
    });
  }

  @Test
  void lossless_usesLagProperty() {
    runner.withPropertyValues("snapflux.stores.counter.lossless-max-lag=7").run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThat(factory.lossless("counter").maxLag()).isEqualTo(7);
      assertThat(factory.lossless("other").maxLag()).isEqualTo(1024);
    });
  }

  @Test
  void contextClose_closesStoresAndCompletesSubscribers() {
    runner.withUserConfiguration(AppStores.class).run(context -> {
      Store<Counter> store = context.getBean(Store.class);
      StepVerifier.Step<Snapshot<Counter>> subscriber = StepVerifier.create(store.changes())
          .expectNextMatches(s -> s.version() == 0);
      context.close();
      assertThat(store.isClosed()).isTrue();
      subscriber.expectComplete().verify(Duration.ofSeconds(10));
      assertThatThrownBy(() -> context.getSourceApplicationContext()
          .getBean(StoreFactory.class)).isInstanceOf(IllegalStateException.class);
    });
  }

  @Test
  void backendRedis_withoutModule_failsStartupNamingTheDependency() {
    runner.withPropertyValues("snapflux.backend=redis").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure())
          .rootCause()
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("snapflux.backend=redis")
          .hasMessageContaining("available: memory")
          .hasMessageContaining("io.snapflux:snapflux-redis");
    });
  }

  @Test
  void backendFile_withoutModule_failsStartupNamingTheDependency() {
    runner.withPropertyValues("snapflux.backend=file", "snapflux.file.directory=build/data")
        .run(context -> assertThat(context.getStartupFailure())
            .rootCause()
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("snapflux.backend=file")
            .hasMessageContaining("available: memory")
            .hasMessageContaining("io.snapflux:snapflux-file"));
  }

  @Test
  void unknownBackend_failsStartupNamingTheIdAndTheAvailableOnes() {
    runner.withPropertyValues("snapflux.backend=mongo")
        .run(context -> assertThat(context.getStartupFailure())
            .rootCause()
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessage("snapflux.backend=mongo but no backend with id 'mongo' is available"
                + " (available: memory)"));
  }

  @Test
  void blankBackend_failsNamingTheProperty() {
    runner.withPropertyValues("snapflux.backend= ")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("Failed to bind properties under 'snapflux'")
            .rootCause()
            .hasMessageContaining("snapflux.backend must not be blank"));
  }

  @Test
  void backendValue_isComparedIgnoringCaseAndBlanks() {
    runner.withPropertyValues("snapflux.backend= Memory ").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(StoreFactory.class).backend().id()).isEqualTo("memory");
    });
  }

  @Test
  void negativeHistorySize_failsNamingTheProperty() {
    runner.withPropertyValues("snapflux.stores.app.history-size=-1")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("Failed to bind properties under 'snapflux.stores.app'")
            .rootCause()
            .hasMessageContaining("history-size must be in 0..1000000, was -1"));
  }

  @Test
  void zeroLosslessLag_failsNamingTheProperty() {
    runner.withPropertyValues("snapflux.stores.app.lossless-max-lag=0")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("Failed to bind properties under 'snapflux.stores.app'")
            .rootCause()
            .hasMessageContaining("lossless-max-lag must be positive, was 0"));
  }

  @Test
  void badEquality_failsNamingTheProperty() {
    runner.withPropertyValues("snapflux.stores.app.equality=deep")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("Failed to bind properties under 'snapflux.stores.app.equality'"));
  }

  @Test
  void withoutOptionalLibraries_coreStillConfigured() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            SnapfluxAutoConfiguration.class,
            SnapfluxMetricsAutoConfiguration.class,
            SnapfluxEndpointAutoConfiguration.class,
            SnapfluxHealthContributorAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(
            MeterRegistry.class, Endpoint.class, HealthContributor.class, ServerSentEvent.class))
        .withUserConfiguration(AppStores.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(StoreFactory.class);
          assertThat(context).doesNotHaveBean(StoreDecorator.class);
          assertThat(context).doesNotHaveBean(SnapfluxEndpoint.class);
          assertThat(context).doesNotHaveBean(StoreHealthContributor.class);
          assertThat(context.getBean(Store.class).update(c -> new Counter(1)).version()).isOne();
        });
  }

  @Test
  void failureAnalyzer_explainsUnavailableProjectBackend_namingTheDependency() {
    FailureAnalysis analysis = new BackendUnavailableFailureAnalyzer()
        .analyze(new IllegalStateException(
            new BackendUnavailableException("file", java.util.List.of("memory", "tape"))));
    assertThat(analysis.getDescription())
        .contains("snapflux.backend is 'file'")
        .contains("Available backends: memory, tape.");
    assertThat(analysis.getAction())
        .startsWith("Add the dependency io.snapflux:snapflux-file to the application")
        .endsWith("set the property snapflux.backend to one of: memory, tape.");
  }

  @Test
  void failureAnalyzer_explainsUnavailableThirdPartyBackend() {
    FailureAnalysis analysis = new BackendUnavailableFailureAnalyzer()
        .analyze(new BackendUnavailableException("mongo", java.util.List.of("memory")));
    assertThat(analysis.getDescription())
        .contains("snapflux.backend is 'mongo'").contains("Available backends: memory.");
    assertThat(analysis.getAction())
        .contains("a StoreBackend bean whose id() is 'mongo'")
        .doesNotContain("io.snapflux:");
  }

  @Test
  void configurationMetadata_isGenerated() throws Exception {
    String metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json")
        .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(metadata).contains("\"snapflux.backend\"", "\"snapflux.stores\"",
        "\"management.endpoint.snapflux.show-values\"", "\"snapflux.metrics.enabled\"");
    // The known backend ids are hints (any other id is allowed: "any" value provider).
    assertThat(metadata.replaceAll("\\s", ""))
        .contains("\"value\":\"memory\"", "\"value\":\"file\"", "\"value\":\"redis\"",
            "\"providers\":[{\"name\":\"any\"}]");
  }

  @Test
  void propertiesRecord_programmaticChecks() {
    assertThatThrownBy(() -> new SnapfluxProperties.StoreProperties(2_000_000, 1,
        SnapfluxProperties.Equality.IDENTITY)).hasMessageContaining("history-size");
    assertThat(SnapfluxProperties.defaults().store("x").historySize()).isEqualTo(100);
    assertThat(new SnapfluxProperties("REDIS", null).backend()).isEqualTo("redis");
    assertThat(SnapfluxProperties.defaults().backend()).isEqualTo(StoreBackend.MEMORY);
    assertThatThrownBy(() -> new SnapfluxProperties("", null))
        .hasMessageContaining("snapflux.backend must not be blank");
  }
}
