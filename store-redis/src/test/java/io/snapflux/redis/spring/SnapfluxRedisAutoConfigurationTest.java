package io.snapflux.redis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapflux.redis.CommitOutcomeUnknownException;
import io.snapflux.redis.RedisClusterProcess;
import io.snapflux.redis.RedisServerProcess;
import io.snapflux.redis.RedisStore;
import io.snapflux.redis.ReplicaAcknowledgementException;
import io.snapflux.redis.StoreUnavailableException;
import io.snapflux.spring.BackendUnavailableException;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.TypedStateStores;
import io.snapflux.spring.metrics.SnapfluxMetricsAutoConfiguration;
import io.snapflux.store.Interceptor;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.snapflux.store.TypeRef;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

final class SnapfluxRedisAutoConfigurationTest {

  record Counter(int value) {
    Counter plus(int n) {
      return new Counter(value + n);
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static RedisServerProcess server;

  private final String storeName = "counter-" + UUID.randomUUID();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
          SnapfluxAutoConfiguration.class, SnapfluxMetricsAutoConfiguration.class,
          SnapfluxRedisAutoConfiguration.class));

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
  void backendRedis_storesLiveInRedisConfiguredBySpringDataRedis() {
    redisBackend().run(context -> {
      assertThat(context).hasSingleBean(RedisStoreBackend.class);
      StoreFactory factory = context.getBean(StoreFactory.class);
      assertThat(factory.backend()).isInstanceOf(RedisStoreBackend.class);

      Store<Counter> store = factory.create(storeName, new Counter(0), b -> { });
      assertThat(store.update(c -> c.plus(2)).version()).isEqualTo(1);

      try (RedisClient raw = RedisClient.create(server.uri());
          StatefulRedisConnection<String, String> c = raw.connect()) {
        assertThat(c.sync().get("snapflux:{" + storeName + "}:version")).isEqualTo("1");
        assertThat(c.sync().get("snapflux:{" + storeName + "}:state")).isEqualTo("{\"value\":2}");
      }
      assertThat(factory.backend().isAvailable(store)).isTrue();
      assertThat(factory.backend().details(store)).containsEntry("connected", true);
    });
  }

  @Test
  void twoApplications_shareOneStoreThroughRedis() {
    redisBackend().run(first -> redisBackend().run(second -> {
      Store<Counter> a = first.getBean(StoreFactory.class).create(storeName, new Counter(0), b -> { });
      Store<Counter> b = second.getBean(StoreFactory.class).create(storeName, new Counter(0), x -> { });

      StepVerifier.create(b.changes().map(Snapshot::state))
          .expectNext(new Counter(0))
          .then(() -> a.update(c -> c.plus(5)))
          .expectNext(new Counter(5))
          .thenCancel()
          .verify(TIMEOUT);
      assertThat(b.compareAndSet(0, new Counter(99))).as("stale version").isFalse();
      assertThat(b.compareAndSet(1, new Counter(6))).isTrue();
      Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().state().equals(new Counter(6)));
    }));
  }

  @Test
  void redisDown_backendReportsStoreUnavailableWithDetails() throws IOException {
    try (RedisServerProcess own = RedisServerProcess.start()) {
      runner.withPropertyValues("snapflux.backend=redis", "spring.data.redis.url=" + own.uri())
          .run(context -> {
            StoreFactory factory = context.getBean(StoreFactory.class);
            Store<Counter> store = factory.create(storeName, new Counter(0), b -> { });
            assertThat(factory.backend().isAvailable(store)).isTrue();

            own.stop();

            Awaitility.await().atMost(TIMEOUT)
                .until(() -> !factory.backend().isAvailable(store));
            assertThat(factory.backend().details(store))
                .containsEntry("connected", false)
                .containsKey("downSince");
            assertThat(store.snapshot().state()).isEqualTo(new Counter(0));
          });
    }
  }

  @Test
  void customizerValidator_rejectsOnRedisBackedStore_andNothingReachesRedis() {
    redisBackend().run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      Store<Counter> store = factory.create(storeName, new Counter(0),
          b -> b.validator("value must not be negative", c -> c.value() >= 0));

      assertThatThrownBy(() -> store.update(c -> c.plus(-1)))
          .isInstanceOf(StateValidationException.class)
          .hasMessageContaining("value must not be negative");

      try (RedisClient raw = RedisClient.create(server.uri());
          StatefulRedisConnection<String, String> c = raw.connect()) {
        assertThat(c.sync().get("snapflux:{" + storeName + "}:version")).isEqualTo("0");
      }
      assertThat(store.snapshot().version()).isZero();
      assertThat(store.update(c -> c.plus(1)).version()).isEqualTo(1);
    });
  }

  @Test
  void customizerInterceptor_afterCommitRunsOncePerOwnCommit_notForOtherInstances() {
    List<Long> onFirst = new CopyOnWriteArrayList<>();
    List<Long> onSecond = new CopyOnWriteArrayList<>();
    redisBackend().run(first -> redisBackend().run(second -> {
      Store<Counter> a = first.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), b -> b.interceptor(recordingTo(onFirst)));
      Store<Counter> b = second.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), x -> x.interceptor(recordingTo(onSecond)));

      for (int i = 0; i < 3; i++) {
        a.update(c -> c.plus(1));
        b.update(c -> c.plus(1));
      }

      assertThat(onFirst).containsExactly(1L, 3L, 5L);
      assertThat(onSecond).containsExactly(2L, 4L, 6L);
      Awaitility.await().atMost(TIMEOUT).until(() -> a.snapshot().version() == 6);
      assertThat(onFirst).as("versions committed elsewhere run no afterCommit here").hasSize(3);
    }));
  }

  @Test
  void equalityProperty_appliesToRedisBackedStore() {
    redisBackend().withPropertyValues("snapflux.stores." + storeName + ".equality=equals")
        .run(context -> {
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName, new Counter(0));
          assertThat(store.update(c -> new Counter(c.value())).version())
              .as("an equal state commits nothing").isZero();
        });
  }

  private static Interceptor<Counter> recordingTo(List<Long> versions) {
    return new Interceptor<>() {
      @Override
      public void afterCommit(Snapshot<Counter> previous, Snapshot<Counter> committed) {
        versions.add(committed.version());
      }
    };
  }

  @Test
  void backendMemory_contributesNoRedisBackend() {
    runner.run(context -> {
      assertThat(context).doesNotHaveBean(RedisStoreBackend.class);
      assertThat(context.getBean(StoreFactory.class).backend())
          .isNotInstanceOf(RedisStoreBackend.class);
    });
  }

  @Test
  void springDataRedisUrl_isUsed() {
    runner.withPropertyValues("snapflux.backend=redis", "spring.data.redis.url=" + server.uri())
        .run(context -> {
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName, new Counter(1), b -> { });
          assertThat(store.update(c -> c.plus(1)).state()).isEqualTo(new Counter(2));
        });
  }

  @Test
  void connectionDetailsBean_isUsedInsteadOfTheProperties() throws IOException {
    int closedPort;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = free.getLocalPort(); // nothing listens there once closed
    }
    runner.withPropertyValues("snapflux.backend=redis", "spring.data.redis.host=127.0.0.1",
            "spring.data.redis.port=" + closedPort)
        .withBean(DataRedisConnectionDetails.class, () -> new DataRedisConnectionDetails() {
          @Override
          public Standalone getStandalone() {
            return Standalone.of("127.0.0.1", server.port());
          }
        })
        .run(context -> {
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName, new Counter(0), b -> { });
          assertThat(store.update(c -> c.plus(3)).version()).isEqualTo(1);
          try (RedisClient raw = RedisClient.create(server.uri());
              StatefulRedisConnection<String, String> c = raw.connect()) {
            assertThat(c.sync().get("snapflux:{" + storeName + "}:version")).isEqualTo("1");
          }
        });
  }

  @Test
  void bootClientResources_areSharedWithTheirCustomizersAndNotShutDownByTheBackend() {
    List<String> customized = new CopyOnWriteArrayList<>();
    redisBackend()
        .withBean(ClientResourcesBuilderCustomizer.class,
            () -> builder -> customized.add("customized"))
        .run(context -> {
          RedisStoreBackend backend = context.getBean(RedisStoreBackend.class);
          assertThat(backend.sharesClientResources()).isTrue();
          assertThat(customized).containsExactly("customized");
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName, new Counter(0), b -> { });
          assertThat(store.update(c -> c.plus(1)).version()).isEqualTo(1);

          backend.destroy();

          assertThat(context.getBean(ClientResources.class).eventExecutorGroup().isShuttingDown())
              .as("Boot's resources outlive the backend").isFalse();
        });
  }

  @Test
  void dedicatedResources_backendRunsOnItsOwnResources_andShutsThemDown() {
    redisBackend().withPropertyValues("snapflux.redis.dedicated-resources=true").run(context -> {
      RedisStoreBackend backend = context.getBean(RedisStoreBackend.class);
      assertThat(backend.sharesClientResources()).isFalse();
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), b -> { });
      assertThat(store.update(c -> c.plus(1)).version()).isEqualTo(1);
      assertThat(context.getBean(ClientResources.class).eventExecutorGroup().isShuttingDown())
          .as("Boot's resources are not the backend's").isFalse();
    });
  }

  @Test
  void withoutBootRedisAutoConfiguration_startupFailsNamingWhatIsMissing() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            SnapfluxAutoConfiguration.class, SnapfluxRedisAutoConfiguration.class))
        .withPropertyValues("snapflux.backend=redis")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().hasMessageContaining("spring-boot-starter-data-redis"));
  }

  @Test
  void withoutLettuce_backendRedisFailsAsUnavailableNamingTheDependency() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            SnapfluxAutoConfiguration.class, SnapfluxRedisAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(RedisClient.class))
        .withPropertyValues("snapflux.backend=redis")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("no backend with id 'redis' is available (available: memory)")
            .hasMessageContaining("io.snapflux:snapflux-redis"));
  }

  @Test
  void backend_hasTheIdRedis_andItsAutoConfigurationIsRegisteredBySnapfluxRedis() {
    assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
        .contains(SnapfluxRedisAutoConfiguration.class.getName());
    assertThat(RedisStoreBackend.ID).isEqualTo("redis");
  }

  @Test
  void clusterNodes_storesLiveOnTheClusterWithReplicaAcks() throws Exception {
    try (RedisClusterProcess cluster = RedisClusterProcess.start()) {
      runner.withPropertyValues("snapflux.backend=redis",
              "spring.data.redis.cluster.nodes=" + cluster.nodesProperty(),
              "snapflux.redis.write-timeout=3s", "snapflux.redis.replica-acks=1",
              "snapflux.redis.replica-ack-timeout=2s")
          .run(context -> {
            assertThat(context).hasNotFailed();
            Store<Counter> store = context.getBean(StoreFactory.class)
                .create(storeName, new Counter(0), b -> { });
            assertThat(store.update("inc", c -> c.plus(1)).version()).isEqualTo(1);
            // On the master that owns the store's slot, and acknowledged by its replica.
            int master = cluster.masterPortOf("snapflux:{" + storeName + "}:version");
            try (RedisClient raw = RedisClient.create(RedisURI.create("127.0.0.1", master));
                StatefulRedisConnection<String, String> c = raw.connect()) {
              assertThat(c.sync().get("snapflux:{" + storeName + "}:version")).isEqualTo("1");
            }
          });
    }
  }

  /**
   * Whether a write made while another of the instance is in its function runs at once: with
   * {@code snapflux.redis.queue-writes} (default true) it waits for its turn.
   */
  private static boolean writeRunsWhileAnotherIsInFlight(Store<Counter> store) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread first = new Thread(() -> store.update(c -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return c.plus(1);
    }));
    first.start();
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean ran = new AtomicBoolean();
    var second = store.async().update(null, c -> {
      ran.set(true);
      return c.plus(10);
    }).toFuture();
    boolean atOnce = ran.get();
    release.countDown();
    first.join(10_000);
    assertThat(second.get(10, TimeUnit.SECONDS).state().value())
        .isIn(11, 10);
    return atOnce;
  }

  @Test
  void queueWrites_defaultOn_andTheSettingReachesTheStore() {
    redisBackend().run(context -> {
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), b -> { });
      assertThat(writeRunsWhileAnotherIsInFlight(store)).isFalse();
    });
    redisBackend().withPropertyValues("snapflux.redis.queue-writes=false").run(context -> {
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create(storeName + "-unqueued", new Counter(0), b -> { });
      assertThat(writeRunsWhileAnotherIsInFlight(store)).isTrue();
    });
  }

  @Test
  void writeIdRetention_settingReachesTheStore() {
    redisBackend().withPropertyValues("snapflux.redis.write-id-retention=5").run(context -> {
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), b -> { });
      for (int i = 0; i < 20; i++) {
        store.update(c -> c.plus(1));
      }
      try (RedisClient raw = RedisClient.create(server.uri());
          StatefulRedisConnection<String, String> c = raw.connect()) {
        assertThat(c.sync().zcard("snapflux:{" + storeName + "}:writes")).isEqualTo(5);
      }
    });
  }

  /** XREAD calls Redis served while the store made 50 own commits. */
  private static long xreadsDuring50Commits(Store<Counter> store) {
    try (RedisClient raw = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = raw.connect()) {
      store.update(x -> x.plus(1)); // whichever XREAD was blocked has returned
      c.sync().configResetstat();
      for (int i = 0; i < 50; i++) {
        store.update(x -> x.plus(1));
      }
      return RedisServerProcess.commandCalls(c, "xread");
    }
  }

  @Test
  void followerPause_settingReachesTheStore() {
    // A pause no test outlives: the follower sends no XREAD while the commits flow.
    redisBackend().withPropertyValues("snapflux.redis.follower-pause=1h",
        "snapflux.redis.poll-timeout=60s").run(context -> {
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName, new Counter(0), b -> { });
          assertThat(xreadsDuring50Commits(store)).isLessThanOrEqualTo(2);
        });
    redisBackend().withPropertyValues("snapflux.redis.follower-pause=0s",
        "snapflux.redis.poll-timeout=60s").run(context -> {
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName + "-unpaused", new Counter(0), b -> { });
          assertThat(xreadsDuring50Commits(store)).isGreaterThan(5);
        });
  }

  @Test
  void meters_reportTheConnection_andAreRemovedWhenTheStoreCloses() {
    redisBackend().withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), b -> { });
      assertThat(registry.get(RedisMeters.CONNECTED).tag("store", storeName).gauge().value())
          .isEqualTo(1.0);

      store.close();

      assertThat(registry.find(RedisMeters.CONNECTED).gauges()).isEmpty();
    });
  }

  @Test
  void underReplicatedMeter_countsWritesFewerReplicasAcknowledged() {
    // The shared server has no replica: every write that commits is under-replicated.
    redisBackend().withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("snapflux.redis.replica-acks=1",
            "snapflux.redis.replica-ack-timeout=50ms")
        .run(context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          Store<Counter> store = context.getBean(StoreFactory.class)
              .create(storeName, new Counter(0), b -> { });
          assertThat(count(registry, RedisMeters.UNDER_REPLICATED, storeName)).isZero();
          assertThat(registry.get(RedisMeters.UNDER_REPLICATED).tag("store", storeName)
              .functionCounter().getId().getDescription()).contains("fewer replicas");

          for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> store.update(c -> c.plus(1)))
                .isInstanceOf(ReplicaAcknowledgementException.class);
          }
          store.update(c -> c); // no change: nothing committed, nothing to acknowledge

          assertThat(store.snapshot().version()).isEqualTo(2);
          assertThat(count(registry, RedisMeters.UNDER_REPLICATED, storeName)).isEqualTo(2.0);
        });
  }

  @Test
  void underReplicatedMeter_staysZeroWithoutReplicaAcks() {
    redisBackend().withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Store<Counter> store = context.getBean(StoreFactory.class)
          .create(storeName, new Counter(0), b -> { });

      store.update(c -> c.plus(1));

      assertThat(count(registry, RedisMeters.UNDER_REPLICATED, storeName)).isZero();
    });
  }

  @Test
  void metricsDisabled_noRedisMeters() {
    redisBackend().withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("snapflux.metrics.enabled=false")
        .run(context -> {
          context.getBean(StoreFactory.class).create(storeName, new Counter(0), b -> { });
          assertThat(context).doesNotHaveBean("snapfluxRedisMeterDecorator");
          assertThat(context.getBean(MeterRegistry.class).find(RedisMeters.CONNECTED).gauges())
              .isEmpty();
        });
  }

  /**
   * The declared-type stores of {@link TypedStateStores} ({@code List.empty()}, {@code
   * HashMap.empty()}, a record with an empty list) on two application instances: one writes, the
   * other decodes the declared {@code Todo}s and writes back.
   */
  @Test
  void beanMethod_emptyVavrList_roundTripsAsDeclaredType() {
    ApplicationContextRunner app =
        redisBackend().withUserConfiguration(TypedStateStores.Declared.class);
    app.run(one -> app.run(two -> {
      assertThat(one).hasNotFailed();
      assertThat(two).hasNotFailed();
      TypedStateStores.write(one.getBean(StoreFactory.class));

      TypedStateStores.assertDecoded(two.getBean(StoreFactory.class));

      Store<io.vavr.collection.List<TypedStateStores.Todo>> todos =
          one.getBean(StoreFactory.class).get("todos");
      Awaitility.await().atMost(TIMEOUT).until(() -> todos.snapshot().version() == 3);
      assertThat(todos.snapshot().state()).hasSize(1).allMatch(TypedStateStores.Todo.class::isInstance);
    }));
  }

  @Test
  void createWithTypeRef_emptyVavrListOutsideBeanMethod_roundTripsAsDeclaredType() {
    TypedStateStores.Todo todo = new TypedStateStores.Todo("review", false);
    TypeRef<io.vavr.collection.List<TypedStateStores.Todo>> type = new TypeRef<>() {};
    redisBackend().run(one -> redisBackend().run(two -> {
      Store<io.vavr.collection.List<TypedStateStores.Todo>> store = one.getBean(StoreFactory.class)
          .create(storeName, type, io.vavr.collection.List.empty());
      Store<io.vavr.collection.List<TypedStateStores.Todo>> other = two.getBean(StoreFactory.class)
          .create(storeName, type, io.vavr.collection.List.empty());

      assertThat(store.update(l -> l.append(todo)).state()).containsExactly(todo);

      Awaitility.await().atMost(TIMEOUT).until(() -> other.snapshot().version() == 1);
      assertThat(other.snapshot().state()).containsExactly(todo);
      assertThat(other.snapshot().state().head()).isInstanceOf(TypedStateStores.Todo.class);
    }));
  }

  private static double count(MeterRegistry registry, String meter, String store) {
    return registry.get(meter).tag("store", store).functionCounter().count();
  }

  @Test
  void redisMeters_countRetriesTimeoutsReconnectsAndResyncs_andAreRemovedWhenTheStoreCloses()
      throws IOException {
    RedisServerProcess own = RedisServerProcess.start(); // this test stops and restarts it
    try {
      runner.withPropertyValues("snapflux.backend=redis", "spring.data.redis.host=127.0.0.1",
              "spring.data.redis.port=" + own.port(), "snapflux.redis.write-timeout=1s")
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Store<Counter> store = context.getBean(StoreFactory.class)
                .create(storeName, new Counter(0), b -> { });
            List<String> counters = List.of(RedisMeters.ROUND_TRIPS, RedisMeters.RETRIES,
                RedisMeters.RESENDS, RedisMeters.RECONNECTS, RedisMeters.RESYNCS,
                RedisMeters.WRITE_TIMEOUTS, RedisMeters.OUTCOMES_UNKNOWN,
                RedisMeters.UNDER_REPLICATED);
            for (String counter : counters) {
              assertThat(registry.get(counter).tag("store", storeName).functionCounter())
                  .as(counter).isNotNull();
            }
            assertThat(count(registry, RedisMeters.ROUND_TRIPS, storeName)).isEqualTo(1.0);
            assertThat(count(registry, RedisMeters.RETRIES, storeName)).isZero();
            assertThat(registry.get(RedisMeters.STREAM_LAG).tag("store", storeName).gauge()
                .value()).isZero();

            // Another instance commits while this one's first attempt is under way: one retry.
            try (RedisStore<Counter> other = RedisStore.builder(storeName, new Counter(0))
                .uri(io.lettuce.core.RedisURI.create(own.uri())).type(Counter.class).build()) {
              boolean[] first = {true};
              store.update(c -> {
                if (first[0]) {
                  first[0] = false;
                  other.update(o -> o.plus(10));
                }
                return c.plus(1);
              });
            }
            assertThat(count(registry, RedisMeters.RETRIES, storeName)).isEqualTo(1.0);
            assertThat(count(registry, RedisMeters.ROUND_TRIPS, storeName))
                .isGreaterThanOrEqualTo(3.0);

            RedisStoreBackend backend = context.getBean(RedisStoreBackend.class);
            own.stop();
            Awaitility.await().atMost(TIMEOUT).until(() -> !backend.isAvailable(store));
            Throwable failed = org.assertj.core.api.Assertions.catchThrowable(
                () -> store.update(c -> c.plus(1)));
            assertThat(failed).isInstanceOf(StoreUnavailableException.class);
            assertThat(count(registry, RedisMeters.WRITE_TIMEOUTS, storeName)).isEqualTo(1.0);
            assertThat(count(registry, RedisMeters.OUTCOMES_UNKNOWN, storeName))
                .isEqualTo(failed instanceof CommitOutcomeUnknownException ? 1.0 : 0.0);
            assertThat(count(registry, RedisMeters.RECONNECTS, storeName)).isZero();
            assertThat(count(registry, RedisMeters.RESYNCS, storeName)).isZero();

            own.restart();
            Awaitility.await().atMost(TIMEOUT).until(() ->
                count(registry, RedisMeters.RECONNECTS, storeName) >= 2
                    && count(registry, RedisMeters.RESYNCS, storeName) >= 1);

            store.close();

            assertThat(registry.getMeters()).noneMatch(
                m -> m.getId().getName().startsWith("snapflux.redis."));
          });
    } finally {
      own.stop();
    }
  }
}
