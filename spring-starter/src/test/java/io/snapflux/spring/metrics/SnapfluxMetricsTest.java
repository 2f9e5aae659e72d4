package io.snapflux.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreDecorator;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpHeaders;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.BaseSubscriber;

final class SnapfluxMetricsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          SnapfluxAutoConfiguration.class, SnapfluxMetricsAutoConfiguration.class))
      .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  private static double counter(MeterRegistry registry, String name) {
    return registry.get(name).tag("store", "counter").functionCounter().count();
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).tag("store", "counter").gauge().value();
  }

  /** The observation handler creates a timer on the first observation of its tags: none is 0. */
  private static long timerCount(MeterRegistry registry, String outcome) {
    Timer timer = registry.find(StoreMetrics.UPDATE)
        .tags("store", "counter", "outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void storeMeters_reportStatsByValue() {
    runner.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Store<Integer> store = context.getBean(StoreFactory.class)
          .create("counter", 0, b -> b.validator("must not be negative", n -> n >= 0));

      store.update(n -> n + 1);
      Stores.updateAndGet(store, n -> n + 1);
      store.updateIfVersion(2, n -> n + 1);
      assertThat(store.updateIfVersion(0, n -> n + 1).applied()).isFalse();
      assertThatThrownBy(() -> store.update(n -> -1)).isInstanceOf(StateValidationException.class);
      assertThat(store.compareAndSet(1, 42)).isFalse();

      assertThat(counter(registry, StoreMetrics.COMMITS)).isEqualTo(3.0);
      assertThat(gauge(registry, StoreMetrics.VERSION)).isEqualTo(3.0);
      assertThat(counter(registry, StoreMetrics.VERSION_CONFLICTS))
          .isEqualTo(store.stats().versionConflicts())
          .isEqualTo(2.0);
      assertThat(counter(registry, StoreMetrics.VALIDATION_REJECTIONS)).isEqualTo(1.0);
      assertThat(counter(registry, StoreMetrics.CAS_RETRIES)).isZero();
      assertThat(timerCount(registry, "committed")).isEqualTo(3);
      assertThat(timerCount(registry, "conflict")).isEqualTo(2);
      assertThat(timerCount(registry, "rejected")).isEqualTo(1);
      assertThat(timerCount(registry, "error")).isZero();
    });
  }

  @Test
  void refusedIfMatch_isCountedAsAVersionConflict_onTheMeterAndTheTimer() {
    runner.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);
      store.update(n -> n + 1);

      String epoch = VersionToken.of(store.snapshot(), store).epoch();
      for (String stale : new String[] {
          "\"" + epoch + ".0\"", "\"" + epoch + ".0\", \"" + epoch + ".7\""}) {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.IF_MATCH, stale);
        assertThatThrownBy(() -> ConditionalRequests.update(headers, store, null, n -> n + 1))
            .isInstanceOf(PreconditionFailedException.class);
      }
      assertThat(store.snapshot().version()).isEqualTo(1);
      assertThat(counter(registry, StoreMetrics.VERSION_CONFLICTS)).isEqualTo(2.0);
      assertThat(timerCount(registry, "conflict")).isEqualTo(2);

      // A tag that names no version can never match: 412, but no version conflict.
      HttpHeaders weak = new HttpHeaders();
      weak.set(HttpHeaders.IF_MATCH, "W/\"" + epoch + ".1\"");
      assertThatThrownBy(() -> ConditionalRequests.update(weak, store, null, n -> n + 1))
          .isInstanceOf(PreconditionFailedException.class);
      assertThat(counter(registry, StoreMetrics.VERSION_CONFLICTS)).isEqualTo(2.0);
    });
  }

  @Test
  void subscriberAndLosslessMeters_followSubscribers() {
    runner.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);
      assertThat(gauge(registry, StoreMetrics.SUBSCRIBERS)).isZero();

      AtomicReference<Throwable> failure = new AtomicReference<>();
      BaseSubscriber<Snapshot<Integer>> stalled = new BaseSubscriber<>() {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
          // no demand: the subscriber lags
        }

        @Override
        protected void hookOnError(Throwable throwable) {
          failure.set(throwable);
        }
      };
      store.changes(Delivery.lossless(5)).subscribe(stalled);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> gauge(registry, StoreMetrics.SUBSCRIBERS) == 1.0);
      assertThat(gauge(registry, StoreMetrics.LOSSLESS_SUBSCRIBERS)).isEqualTo(1.0);

      for (int i = 0; i < 3; i++) {
        store.update(n -> n + 1);
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(gauge(registry, StoreMetrics.LOSSLESS_LAG))
              .isEqualTo((double) store.stats().maxLosslessLag())
              .isGreaterThanOrEqualTo(3.0));
      assertThat(counter(registry, StoreMetrics.LAG_OVERFLOWS)).isZero();

      for (int i = 0; i < 10; i++) {
        store.update(n -> n + 1);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> failure.get() != null);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(counter(registry, StoreMetrics.LAG_OVERFLOWS)).isEqualTo(1.0);
        assertThat(gauge(registry, StoreMetrics.SUBSCRIBERS)).isZero();
        assertThat(gauge(registry, StoreMetrics.LOSSLESS_SUBSCRIBERS)).isZero();
      });
    });
  }

  @Test
  void factoryStore_isTimedWrapperForwardingReads() {
    runner.run(context -> {
      Store<Integer> store = context.getBean(StoreFactory.class)
          .create("counter", 0, b -> b.history(10));
      assertThat(store).isInstanceOf(TimedStore.class);
      store.update(n -> n + 1);
      assertThat(store.history().orElseThrow().versions()).hasSize(2);
      assertThat(store.history().orElseThrow().undo(null).state()).isZero();
      assertThat(timerCount(context.getBean(MeterRegistry.class), "committed")).isEqualTo(2);
      assertThat(store.history().orElseThrow().undoIfVersion(0, null).applied()).isFalse(); // stale: the store is at 2
      assertThat(timerCount(context.getBean(MeterRegistry.class), "conflict")).isEqualTo(1);
      assertThat(store.history().orElseThrow().redoIfVersion(2, null).applied()).isTrue();
      assertThat(timerCount(context.getBean(MeterRegistry.class), "committed")).isEqualTo(3);
    });
  }

  @Test
  void metricsDisabled_noDecorator() {
    runner.withPropertyValues("snapflux.metrics.enabled=false").run(context -> {
      assertThat(context).doesNotHaveBean(StoreDecorator.class);
      Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);
      assertThat(store).isNotInstanceOf(TimedStore.class);
      assertThat(context.getBean(MeterRegistry.class).find(StoreMetrics.VERSION).meters()).isEmpty();
    });
  }

  @Test
  void withoutMicrometer_noDecorator() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            SnapfluxAutoConfiguration.class, SnapfluxMetricsAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(StoreDecorator.class);
        });
  }

  @Test
  void withoutRegistryBean_storesAreNotWrapped() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            SnapfluxAutoConfiguration.class, SnapfluxMetricsAutoConfiguration.class))
        .run(context -> {
          assertThat(context).hasSingleBean(StoreDecorator.class);
          Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);
          assertThat(store).isNotInstanceOf(TimedStore.class);
        });
  }

  @Test
  void userDecoratorBean_replacesOurs() {
    StoreDecorator none = new StoreDecorator() {
      @Override
      public <S> Store<S> decorate(Store<S> store, io.snapflux.spring.StoreDefinition<S> d) {
        return store;
      }
    };
    runner.withBean("snapfluxMeterStoreDecorator", StoreDecorator.class, () -> none)
        .run(context -> {
          assertThat(context).hasSingleBean(StoreDecorator.class);
          assertThat(context.getBean(StoreDecorator.class)).isSameAs(none);
        });
  }

  @Test
  void closingAStore_removesItsMeters_andLeavesOtherStoresMeters() {
    runner.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      StoreFactory factory = context.getBean(StoreFactory.class);
      Store<Integer> counter = factory.create("counter", 0);
      Store<Integer> other = factory.create("other", 0);
      counter.update(n -> n + 1);
      other.update(n -> n + 1);
      assertThat(registry.find(StoreMetrics.UPDATE).tag("store", "counter").timers()).isNotEmpty();

      counter.close();

      assertThat(registry.getMeters()).noneMatch(m -> "counter".equals(m.getId().getTag("store")));
      assertThat(registry.find(StoreMetrics.VERSION).tag("store", "other").gauge()).isNotNull();
      assertThat(registry.find(StoreMetrics.UPDATE).tag("store", "other").timer()).isNotNull();
    });
  }

  @Test
  void eachWrite_isAnObservationWithStoreBackendAndOutcome() {
    List<Observation.Context> seen = new CopyOnWriteArrayList<>();
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        seen.add(context);
      }
    });
    runner.withBean(ObservationRegistry.class, () -> observations).run(context -> {
      Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);

      store.update(n -> n + 1);
      store.updateIfVersion(0, n -> n + 1);

      assertThat(seen).hasSize(2);
      assertThat(seen).allSatisfy(c -> {
        assertThat(c.getName()).isEqualTo(StoreMetrics.UPDATE);
        assertThat(c.getLowCardinalityKeyValue("store").getValue()).isEqualTo("counter");
        assertThat(c.getLowCardinalityKeyValue("backend").getValue()).isEqualTo("memory");
      });
      assertThat(seen).extracting(c -> c.getLowCardinalityKeyValue("outcome").getValue())
          .containsExactly("committed", "conflict");
    });
  }

  @Test
  void bootObservations_recordTheTimer_andManagementObservationsFiltersApply() {
    ApplicationContextRunner boot = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
            MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SnapfluxAutoConfiguration.class,
            SnapfluxMetricsAutoConfiguration.class));
    boot.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);
      store.update(n -> n + 1);
      assertThat(registry.get(StoreMetrics.UPDATE)
          .tags("store", "counter", "backend", "memory", "outcome", "committed").timer().count())
          .isEqualTo(1);
    });
    boot.withPropertyValues("management.observations.enable.snapflux.store.update=false")
        .run(context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          Store<Integer> store = context.getBean(StoreFactory.class).create("counter", 0);
          store.update(n -> n + 1);
          assertThat(registry.find(StoreMetrics.UPDATE).timers()).isEmpty();
          assertThat(counter(registry, StoreMetrics.COMMITS)).isEqualTo(1.0);
        });
  }

  @Test
  void handBuiltStore_timedWithExtraTags_recordsThemAndUnbindsOnClose() {
    MeterRegistry registry = new SimpleMeterRegistry();
    Store<Integer> plain = Store.builder(0).name("hand").build();
    StoreMetrics.bind(registry, plain, Tags.of("team", "a"));
    Store<Integer> timed = StoreMetrics.timed(registry, plain, Tags.of("team", "a"));

    timed.update(n -> n + 1);

    assertThat(registry.get(StoreMetrics.UPDATE)
        .tags("store", "hand", "backend", "unknown", "team", "a", "outcome", "committed")
        .timer().count()).isEqualTo(1);
    timed.close();
    assertThat(registry.getMeters()).isEmpty();
  }
}
