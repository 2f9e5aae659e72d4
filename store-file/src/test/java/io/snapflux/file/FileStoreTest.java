package io.snapflux.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.store.Interceptor;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.Stores;
import io.snapflux.store.StoreBuilder;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * File-store specifics: durability modes, group commit, compaction, exact restore with the
 * builder's options, journal failure, migrations.
 */
final class FileStoreTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private FileStoreBuilder<Integer> counter() {
    return FileStore.builder(0, Integer.class).directory(dir);
  }

  @Test
  void newStore_startsAtVersionZeroWithInitialState_andCreatesItsFiles() {
    try (FileStore<Integer> store = counter().build()) {
      assertThat(store.snapshot().version()).isZero();
      assertThat(store.recovery().newStore()).isTrue();
      assertThat(dir.resolve("snapshot.dat")).exists();
      assertThat(dir.resolve("journal.log")).exists();
    }
  }

  @Test
  void reopen_restoresVavrStateAndVersion() {
    ObjectMapper mapper = JsonMapper.builder().addModule(new VavrModule()).build();
    StateCodec<HashMap<String, List<Integer>>> codec = JsonStateCodec.of(mapper,
        mapper.getTypeFactory().constructType(new TypeReference<HashMap<String, List<Integer>>>() {}));
    try (FileStore<HashMap<String, List<Integer>>> store =
        FileStore.builder(HashMap.<String, List<Integer>>empty(), codec).directory(dir).build()) {
      store.update("add a", m -> m.put("a", List.of(1, 2)));
      store.update("add b", m -> m.put("b", List.of(3)));
    }
    try (FileStore<HashMap<String, List<Integer>>> store =
        FileStore.builder(HashMap.<String, List<Integer>>empty(), codec).directory(dir).build()) {
      assertThat(store.snapshot().version()).isEqualTo(2);
      assertThat(store.snapshot().state()).isEqualTo(HashMap.of("a", List.of(1, 2), "b", List.of(3)));
      assertThat(store.durableVersion()).isEqualTo(2);
    }
  }

  @Test
  void sync_updateReturnsOnlyDurableVersions() {
    try (FileStore<Integer> store = counter().durability(Durability.SYNC).build()) {
      for (int i = 1; i <= 20; i++) {
        Snapshot<Integer> s = store.update(x -> x + 1);
        assertThat(store.durableVersion()).isGreaterThanOrEqualTo(s.version());
      }
      assertThat(store.compareAndSet(20, 100)).isTrue();
      assertThat(store.durableVersion()).isEqualTo(21);
      assertThat(store.updateIfVersion(21, x -> x + 1).applied()).isTrue();
      assertThat(store.durableVersion()).isEqualTo(22);
      assertThat(Stores.getAndUpdate(store, x -> x + 1)).isEqualTo(101);
      assertThat(store.durableVersion()).isEqualTo(23);
    }
  }

  /**
   * Issue 16: with SYNC, readers see only durable versions. Writers race; a reader compares the
   * version it sees with the durable version read after it, and a lossless subscriber checks
   * every version it receives, which must also arrive all of them, in order.
   */
  @Test
  void sync_concurrentWritersAndReaders_readersSeeOnlyDurableVersions() throws Exception {
    int writers = 4;
    int updates = 100;
    try (FileStore<Integer> store = counter().build()) {
      java.util.Queue<String> violations = new java.util.concurrent.ConcurrentLinkedQueue<>();
      java.util.List<Long> received = new java.util.concurrent.CopyOnWriteArrayList<>();
      reactor.core.Disposable subscriber = store.changes(io.snapflux.store.Delivery.lossless(10_000))
          .subscribe(s -> {
            received.add(s.version());
            long d = store.durableVersion();
            if (d < s.version()) {
              violations.add("subscriber saw " + s.version() + " while durable was " + d);
            }
          });
      ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
      CountDownLatch start = new CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      Future<?> reader = pool.submit(() -> {
        start.await();
        while (!done.get()) {
          long v = store.snapshot().version();
          long d = store.durableVersion();
          if (d < v && violations.size() < 100) {
            violations.add("snapshot() showed " + v + " while durable was " + d);
          }
        }
        return null;
      });
      java.util.List<Future<?>> ws = new java.util.ArrayList<>();
      for (int w = 0; w < writers; w++) {
        ws.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < updates; i++) {
            Snapshot<Integer> s = store.update(x -> x + 1);
            if (store.snapshot().version() < s.version()) {
              violations.add("an update returned " + s.version() + " before it was visible");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : ws) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      reader.get(60, TimeUnit.SECONDS);
      pool.shutdown();
      long last = writers * updates;
      org.awaitility.Awaitility.await().atMost(TIMEOUT)
          .until(() -> !received.isEmpty() && received.get(received.size() - 1) == last);
      subscriber.dispose();
      assertThat(violations).isEmpty();
      assertThat(received).as("every version, in order")
          .isEqualTo(java.util.stream.LongStream.rangeClosed(0, last).boxed().toList());
    }
  }

  @Test
  void groupCommit_concurrentWriters_shareFsyncs() throws Exception {
    int writers = 8;
    int perWriter = 250;
    try (FileStore<Integer> store = counter().durability(Durability.SYNC).build()) {
      long fsyncsBefore = store.journalStats().fsyncs();
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      CountDownLatch start = new CountDownLatch(1);
      java.util.List<Future<?>> done = new java.util.ArrayList<>();
      for (int w = 0; w < writers; w++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perWriter; i++) {
            Snapshot<Integer> s = store.update(x -> x + 1);
            if (store.durableVersion() < s.version()) {
              throw new AssertionError("acknowledged version " + s.version() + " not durable");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      long commits = (long) writers * perWriter;
      long fsyncs = store.journalStats().fsyncs() - fsyncsBefore;
      System.out.printf("group commit: %d commits, %d fsyncs (%.1f commits per fsync)%n",
          commits, fsyncs, (double) commits / fsyncs);
      assertThat(store.snapshot().state()).isEqualTo((int) commits);
      assertThat(store.durableVersion()).isEqualTo(commits);
      assertThat(fsyncs).isPositive().isLessThan(commits);
    }
  }

  @Test
  void sync_blockingUpdateOnNonBlockingThread_isRefusedBeforeCommitting() {
    try (FileStore<Integer> store = counter().durability(Durability.SYNC).build()) {
      Mono<Integer> onParallel = Mono.fromCallable(() -> store.update(x -> x + 1).state())
          .subscribeOn(Schedulers.parallel());

      StepVerifier.create(onParallel)
          .expectErrorSatisfies(e -> assertThat(e)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("async()"))
          .verify(TIMEOUT);
      assertThat(store.snapshot().version()).isZero();
    }
  }

  @Test
  void async_update_onNonBlockingThread_completesOnceOnDisk() {
    try (FileStore<Integer> store = counter().durability(Durability.SYNC).build()) {
      Mono<Snapshot<Integer>> update = store.async().update("inc", x -> x + 1)
          .subscribeOn(Schedulers.parallel());

      StepVerifier.create(update)
          .assertNext(s -> {
            assertThat(s.version()).isEqualTo(1);
            assertThat(s.cause()).isEqualTo("inc");
            assertThat(store.durableVersion()).isGreaterThanOrEqualTo(1);
            assertThat(Thread.currentThread().getName()).doesNotContain("snapflux-journal");
          })
          .verifyComplete();
    }
  }

  @Test
  void durableChanges_deliverOnlyDurableVersions() {
    try (FileStore<Integer> store = counter().durability(Durability.ASYNC)
        .flushInterval(Duration.ofMillis(20)).build()) {
      StepVerifier.create(store.durableChanges().filter(s -> s.version() == 5).next())
          .then(() -> {
            for (int i = 0; i < 5; i++) {
              store.update(x -> x + 1);
            }
          })
          .assertNext(s -> assertThat(store.durableVersion()).isGreaterThanOrEqualTo(5))
          .verifyComplete();
    }
  }

  @Test
  void async_acknowledgesBeforeDisk_andCrashLosesOnlyTheCurrentFlushWindow() {
    // A flush interval far longer than the test: after the first flush, nothing more is written
    // until close, so the "crash" below falls inside one known window.
    JournaledStore<Integer> store = (JournaledStore<Integer>) counter()
        .durability(Durability.ASYNC).flushInterval(Duration.ofHours(1)).build();
    store.update(x -> x + 1);
    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(1)).expectNext(1L).verifyComplete();

    for (int i = 0; i < 4; i++) {
      store.update(x -> x + 1); // returns at once: acknowledged in memory only
    }
    assertThat(store.snapshot().version()).isEqualTo(5);
    assertThat(store.durableVersion()).isEqualTo(1);
    store.crash();

    try (FileStore<Integer> reopened = counter().build()) {
      assertThat(reopened.snapshot().version())
          .as("versions 2..5, committed within the last flush interval, are the loss window")
          .isEqualTo(1);
      assertThat(reopened.snapshot().state()).isEqualTo(1);
    }
  }

  @Test
  void async_flushesWithinTheInterval() {
    try (FileStore<Integer> store = counter().durability(Durability.ASYNC)
        .flushInterval(Duration.ofMillis(50)).build()) {
      for (int i = 0; i < 100; i++) {
        store.update(x -> x + 1);
      }
      StepVerifier.create(((JournaledStore<?>) store).awaitDurable(100))
          .assertNext(v -> assertThat(v).isEqualTo(100))
          .verifyComplete();
      assertThat(store.journalStats().fsyncs()).isLessThan(100);
    }
  }

  @Test
  void async_closeFlushesEverything() {
    try (FileStore<Integer> store = counter().durability(Durability.ASYNC)
        .flushInterval(Duration.ofHours(1)).build()) {
      for (int i = 0; i < 7; i++) {
        store.update(x -> x + 1);
      }
    }
    try (FileStore<Integer> store = counter().build()) {
      assertThat(store.snapshot().version()).isEqualTo(7);
      assertThat(store.snapshot().state()).isEqualTo(7);
    }
  }

  @Test
  void close_completesSubscribersAndReleasesTheDirectory() {
    FileStore<Integer> store = counter().build();
    StepVerifier.create(store.changes().map(Snapshot::version))
        .expectNext(0L)
        .then(store::close)
        .verifyComplete();
    try (FileStore<Integer> again = counter().build()) {
      assertThat(again.isClosed()).isFalse();
    }
  }

  @Test
  void awaitDurable_versionNeverCommitted_failsWhenStoreCloses() {
    FileStore<Integer> store = counter().build();
    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(5))
        .then(store::close)
        .expectError(io.snapflux.store.StoreClosedException.class)
        .verify(TIMEOUT);
  }

  @Test
  void compaction_largeJournal_isReplacedBySnapshotAndReopensAtSameVersion() {
    try (FileStore<Integer> store = counter().compactionThreshold(512).build()) {
      for (int i = 0; i < 100; i++) {
        store.update(x -> x + 1);
      }
      assertThat(store.journalStats().compactions()).isGreaterThan(1);
      assertThat(store.journalStats().journalBytes())
          .as("compacted back to the header block after each record past the threshold")
          .isLessThan(512 + 2 * JournalFormat.BLOCK);
    }
    try (FileStore<Integer> store = counter().build()) {
      assertThat(store.snapshot().version()).isEqualTo(100);
      assertThat(store.snapshot().state()).isEqualTo(100);
    }
  }

  @Test
  void undo_withHistory_isCommittedDurablyAsNewVersion() {
    try (FileStore<Integer> store = counter().storeOptions(b -> b.history(10)).build()) {
      store.update(x -> x + 1);
      store.update(x -> x + 1);
      Snapshot<Integer> undone = store.history().orElseThrow().undo(null);
      assertThat(undone.version()).isEqualTo(3);
      assertThat(undone.state()).isEqualTo(1);
      assertThat(store.durableVersion()).isEqualTo(3);
    }
    try (FileStore<Integer> store = counter().storeOptions(b -> b.history(10)).build()) {
      assertThat(store.snapshot().version()).isEqualTo(3);
      assertThat(store.snapshot().state()).isEqualTo(1);
      assertThat(store.history().orElseThrow().canUndo()).as("history is not persisted").isFalse();
    }
  }

  @Test
  void undoIfVersion_isCommittedDurably() {
    // The version check itself is the contract's (StoreContractTest.history_undoIfVersion_*).
    try (FileStore<Integer> store = counter().storeOptions(b -> b.history(10)).build()) {
      store.update(x -> x + 1);
      store.update(x -> x + 1);

      Outcome<Integer> undone = store.history().orElseThrow().undoIfVersion(2, null);
      assertThat(undone.applied()).isTrue();
      assertThat(undone.snapshot().state()).isEqualTo(1);
      assertThat(store.durableVersion()).isEqualTo(3);
      assertThat(store.history().orElseThrow().redoIfVersion(3, null).snapshot().state()).isEqualTo(2);
      assertThat(store.durableVersion()).isEqualTo(4);
    }
  }

  @Test
  void storeOptions_severalCalls_addUp() {
    try (FileStore<Integer> store = counter()
        .storeOptions(b -> b.history(10))
        .storeOptions(b -> b.validator("below 5", n -> n < 5))
        .build()) {
      store.update(x -> x + 1);
      assertThatThrownBy(() -> store.update(x -> 9))
          .isInstanceOf(io.snapflux.store.StateValidationException.class);
      assertThat(store.history().orElseThrow().undo(null).state()).as("the first call's history(10) still applies").isZero();
    }
  }

  // --- options and exact restore ---------------------------------------------------------------

  record Add(int amount) {}

  @Test
  void reopen_restoresTimestampAndCauseExactly() {
    Instant committedAt = Instant.parse("2026-01-02T03:04:05.678Z");
    try (FileStore<Integer> store = FileStore.builder(
        Store.builder(0).clock(Clock.fixed(committedAt, ZoneOffset.UTC)), Integer.class)
        .directory(dir).build()) {
      store.update("first", x -> x + 1);
      store.update(new Add(2), x -> x + 2);
    }
    for (int restart = 1; restart <= 2; restart++) {
      try (FileStore<Integer> store = counter().build()) {
        Snapshot<Integer> s = store.snapshot();
        assertThat(s.version()).as("restart %d", restart).isEqualTo(2);
        assertThat(s.state()).isEqualTo(3);
        assertThat(s.timestamp()).as("the commit time, not the open time").isEqualTo(committedAt);
        assertThat(s.cause()).as("persisted as String.valueOf(cause)").isEqualTo("Add[amount=2]");
      }
    }
  }

  @Test
  void reopen_fromStoreBuilder_keepsItsValidatorsAndInterceptors() {
    java.util.List<Long> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
    StoreBuilder<Integer> options = Store.<Integer>builder(0)
        .name("counter")
        .validator("must not be negative", x -> x >= 0)
        .interceptor(new Interceptor<>() {
          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            audited.add(committed.version());
          }
        })
        .history(5);
    try (FileStore<Integer> store = FileStore.builder(options, Integer.class).directory(dir)
        .build()) {
      assertThat(store.name()).as("the StoreBuilder's name").isEqualTo("counter");
      store.update(x -> x + 5);
    }
    try (FileStore<Integer> store = FileStore.builder(options, Integer.class).directory(dir)
        .build()) {
      assertThat(store.snapshot().version()).isEqualTo(1);
      assertThatThrownBy(() -> store.update(x -> x - 10))
          .isInstanceOf(StateValidationException.class)
          .hasMessageContaining("must not be negative");
      assertThat(store.snapshot().version()).isEqualTo(1);
      assertThat(store.durableVersion()).isEqualTo(1);
      store.update(x -> x + 1);
      store.update(x -> x + 1);
      assertThat(store.history().orElseThrow().undo(null).state()).as("history(5) applies after a restart").isEqualTo(6);
    }
    assertThat(audited).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void reopen_restoredStateFailsAValidator_failsToOpenNamingTheVersion() {
    try (FileStore<Integer> store = counter().build()) {
      store.update(x -> x - 1);
    }

    assertThatThrownBy(() -> FileStore.builder(
        Store.<Integer>builder(0).validator("must not be negative", x -> x >= 0), Integer.class)
        .directory(dir).build())
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("the state of version 1")
        .hasMessageContaining("must not be negative")
        .hasCauseInstanceOf(StateValidationException.class);
    try (FileStore<Integer> store = counter().build()) {
      assertThat(store.snapshot().state()).as("the files are unchanged").isEqualTo(-1);
    }
  }

  // --- journal failure -------------------------------------------------------------------------

  @Test
  void journalFailure_sync_failsTheWaitingUpdateAndEveryLaterOne() {
    JournaledStore<Integer> store = (JournaledStore<Integer>) counter().build();
    store.update(x -> x + 1);
    assertThat(store.journalFailure()).isEmpty();

    store.breakJournal();
    assertThatThrownBy(() -> store.update(x -> x + 1))
        .as("the update whose write failed is not acknowledged")
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("ClosedChannelException")
        .hasCauseInstanceOf(ClosedChannelException.class);
    assertThat(store.journalFailure()).hasValueSatisfying(f -> assertThat(f)
        .hasMessageContaining("the journal in " + dir)
        .hasCauseInstanceOf(ClosedChannelException.class));

    assertThatThrownBy(() -> store.update(x -> x + 1))
        .isInstanceOf(FileStoreException.class)
        .hasCauseInstanceOf(ClosedChannelException.class);
    assertThat(store.snapshot().version())
        .as("the version whose write failed was never visible; later ones were refused")
        .isEqualTo(1);
    StepVerifier.create(store.async().update(x -> x + 1))
        .expectError(FileStoreException.class)
        .verify(TIMEOUT);
    assertThat(store.durableVersion()).isEqualTo(1);
    assertThat(store.snapshot().state()).as("reads still serve the last visible version").isEqualTo(1);

    assertThatThrownBy(store::close).isInstanceOf(FileStoreException.class);
    try (FileStore<Integer> reopened = counter().build()) {
      assertThat(reopened.snapshot().version()).as("the last durable version").isEqualTo(1);
      assertThat(reopened.journalFailure()).isEmpty();
    }
  }

  @Test
  void journalFailure_async_failsAwaitDurableAndLaterUpdates() {
    JournaledStore<Integer> store = (JournaledStore<Integer>) counter()
        .durability(Durability.ASYNC).flushInterval(Duration.ofMillis(10)).build();
    store.breakJournal();
    store.update(x -> x + 1); // acknowledged in memory: ASYNC does not wait for the disk

    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(1))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(FileStoreException.class)
            .hasCauseInstanceOf(ClosedChannelException.class))
        .verify(TIMEOUT);
    assertThat(store.journalFailure()).isPresent();
    assertThatThrownBy(() -> store.update(x -> x + 1)).isInstanceOf(FileStoreException.class);
    assertThat(store.snapshot().version()).isEqualTo(1);
    assertThatThrownBy(store::close).isInstanceOf(FileStoreException.class);
  }

  // --- schema evolution ------------------------------------------------------------------------

  record PersonV1(String name, int age) {}

  record PersonV2(String firstName, String lastName, int age) {}

  @Test
  void migration_olderShape_isMigratedAndRewrittenWithCurrentSchema() {
    try (FileStore<PersonV1> v1 = FileStore.builder(new PersonV1("Ada Lovelace", 36),
        PersonV1.class).directory(dir).build()) {
      v1.update(p -> new PersonV1(p.name(), p.age() + 1));
    }

    try (FileStore<PersonV2> v2 = personV2().build()) {
      assertThat(v2.snapshot().state()).isEqualTo(new PersonV2("Ada", "Lovelace", 37));
      assertThat(v2.snapshot().version()).isEqualTo(1);
      assertThat(v2.recovery().migrated()).isTrue();
      assertThat(v2.recovery().fileSchemaVersion()).isEqualTo(1);
      v2.update(p -> new PersonV2(p.firstName(), "King", p.age()));
    }
    // Rewritten with schema 2: opens without any migration registered.
    try (FileStore<PersonV2> v2 = FileStore.builder(new PersonV2("", "", 0), PersonV2.class)
        .directory(dir).schemaVersion(2).build()) {
      assertThat(v2.snapshot().state()).isEqualTo(new PersonV2("Ada", "King", 37));
      assertThat(v2.snapshot().version()).isEqualTo(2);
      assertThat(v2.recovery().migrated()).isFalse();
    }
  }

  @Test
  void migration_missingStep_failsClearly() {
    try (FileStore<PersonV1> v1 = FileStore.builder(new PersonV1("Ada Lovelace", 36),
        PersonV1.class).directory(dir).build()) {
      v1.update(p -> new PersonV1(p.name(), 40));
    }

    assertThatThrownBy(() -> FileStore.builder(new PersonV2("", "", 0), PersonV2.class)
        .directory(dir).schemaVersion(3).jsonMigration(2, n -> n).build())
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("no migration registered from schema version(s) [1]");
  }

  @Test
  void migration_newerFileThanApplication_failsClearly() {
    try (FileStore<PersonV2> v2 = personV2().build()) {
      assertThat(v2.snapshot().version()).isZero();
    }

    assertThatThrownBy(() -> FileStore.builder(new PersonV1("", 0), PersonV1.class)
        .directory(dir).build())
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("schema version 2, newer than this application's 1");
  }

  @Test
  void changedShapeWithoutSchemaVersion_failsWithHintInsteadOfLosingState() {
    try (FileStore<PersonV1> v1 = FileStore.builder(new PersonV1("Ada Lovelace", 36),
        PersonV1.class).directory(dir).build()) {
      v1.update(p -> new PersonV1(p.name(), 40));
    }

    assertThatThrownBy(() -> FileStore.builder(new PersonV2("", "", 0), PersonV2.class)
        .directory(dir).build())
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("cannot decode the state of version 1")
        .hasMessageContaining("raise schemaVersion and add a migration");
  }

  private FileStoreBuilder<PersonV2> personV2() {
    return FileStore.builder(new PersonV2("", "", 0), PersonV2.class)
        .directory(dir)
        .schemaVersion(2)
        .jsonMigration(1, node -> {
          ObjectNode o = (ObjectNode) node;
          String[] parts = o.remove("name").asText().split(" ", 2);
          o.put("firstName", parts[0]);
          o.put("lastName", parts.length > 1 ? parts[1] : "");
          return o;
        });
  }

  @Test
  void backendSpi_storeBuilderOptionsReachTheFileStore_andReopenKeepsVersionAndEpoch() {
    Store<Integer> store = Store.builder(0).name("spi")
        .validator("non-negative", n -> n >= 0).history(5)
        .backend(FileStore.backend(dir).durability(Durability.SYNC))
        .build();
    String epoch;
    try {
      assertThat(store).isInstanceOf(FileStore.class);
      assertThat(store.name()).isEqualTo("spi");
      assertThatThrownBy(() -> store.update(n -> -1))
          .isInstanceOf(StateValidationException.class);
      store.update(n -> n + 2);
      assertThat(store.history().orElseThrow().undo("ann").state()).isZero();
      epoch = store.snapshot().epoch();
      assertThat(((FileStore<Integer>) store).durableVersion()).isEqualTo(2);
    } finally {
      store.close();
    }
    Store<Integer> reopened = Store.builder(0).name("spi")
        .backend(FileStore.backend(dir)).build();
    try {
      assertThat(reopened.snapshot().version()).isEqualTo(2);
      assertThat(reopened.snapshot().epoch()).as("clean close keeps the epoch").isEqualTo(epoch);
      assertThat(reopened.history()).as("no history(n) this time").isEmpty();
    } finally {
      reopened.close();
    }
  }
}
