package io.snapflux.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.store.Delivery;
import io.snapflux.store.Interceptor;
import io.snapflux.store.Snapshot;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * The file store under faults (issue 16): failed and stalled journal writes, a journal deleted
 * under a running store, and what readers may see meanwhile.
 */
final class FileStoreFaultTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Path DIR = Path.of("/sim/store");

  @TempDir Path dir;

  private static FileStoreBuilder<Integer> simulated(SimulatedDisk disk, Durability d) {
    FileStoreBuilder<Integer> b = FileStore.builder(0, Integer.class).directory(DIR)
        .durability(d);
    b.storage = disk;
    return b;
  }

  /** Fails the journal's force calls once armed, as a device returning EIO would. */
  private static void failJournalForces(SimulatedDisk disk) {
    disk.fault((op, path) -> {
      if (op.equals("force") && path.endsWith("journal.log")) {
        throw new IOException("simulated EIO from fsync");
      }
    });
  }

  /** Blocks the journal's force calls while armed: a hung device. */
  private static final class ForceGate implements SimulatedDisk.Fault {
    volatile boolean armed = true;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void before(String op, Path path) throws IOException {
      if (armed && op.equals("force") && path.endsWith("journal.log")) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
    }

    void awaitEntered() throws InterruptedException {
      assertThat(entered.await(10, TimeUnit.SECONDS)).as("the journal reached its fsync").isTrue();
    }

    void open() {
      armed = false;
      release.countDown();
    }
  }

  // --- item 1: phantom versions ----------------------------------------------------------------

  @Test
  void sync_journalWriteFails_versionNeverVisibleAndNeverReused() {
    SimulatedDisk disk = new SimulatedDisk();
    JournaledStore<Integer> store = (JournaledStore<Integer>) simulated(disk, Durability.SYNC)
        .build();
    long epoch = store.epoch();
    store.update(x -> x + 1);
    List<Long> seen = new CopyOnWriteArrayList<>();
    Disposable subscriber = store.changes(Delivery.lossless(100))
        .subscribe(s -> seen.add(s.version()));
    Awaitility.await().atMost(TIMEOUT).until(() -> seen.contains(1L));
    failJournalForces(disk);

    assertThatThrownBy(() -> store.update(x -> x + 100))
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("simulated EIO");
    assertThat(store.snapshot().version()).as("no reader sees the failed version").isEqualTo(1);
    assertThat(store.snapshot().state()).isEqualTo(1);
    assertThat(store.history()).as("built without history: no capability").isEmpty();
    assertThat(seen).as("nor does a subscriber").containsExactly(1L);
    subscriber.dispose();
    store.crash();
    disk.fault((op, path) -> {});
    disk.powerLoss(new Random(1), true);

    try (FileStore<Integer> reopened = simulated(disk, Durability.SYNC).build()) {
      assertThat(reopened.snapshot().version()).isEqualTo(1);
      assertThat(reopened.epoch()).isEqualTo(epoch);
      Snapshot<Integer> two = reopened.update(x -> x + 1);
      assertThat(two.version()).isEqualTo(2);
      assertThat(two.state()).as("version 2 names one state only: nobody saw another").isEqualTo(2);
    }
  }

  @Test
  void sync_journalWriteFails_afterCommitNeverSeesTheFailedVersion() {
    SimulatedDisk disk = new SimulatedDisk();
    List<Long> afterCommit = new CopyOnWriteArrayList<>();
    List<Long> durableWhenRun = new CopyOnWriteArrayList<>();
    JournaledStore<Integer>[] holder = new JournaledStore[1];
    JournaledStore<Integer> store = (JournaledStore<Integer>) simulated(disk, Durability.SYNC)
        .storeOptions(o -> o.interceptor(new Interceptor<>() {
          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            afterCommit.add(committed.version());
            durableWhenRun.add(holder[0].durableVersion());
          }
        }))
        .build();
    holder[0] = store;
    store.update(x -> x + 1);
    store.update(x -> x + 1);
    assertThat(afterCommit).as("run once per version, in order, before update returned")
        .containsExactly(1L, 2L);
    assertThat(durableWhenRun).as("each only once its version was durable")
        .containsExactly(1L, 2L);
    failJournalForces(disk);

    assertThatThrownBy(() -> store.update(x -> x + 100))
        .isInstanceOf(FileStoreException.class);
    assertThat(afterCommit).as("never for the version whose write failed")
        .containsExactly(1L, 2L);
    store.crash();
  }

  @Test
  void async_journalWriteFails_acknowledgedVersionLostUnderANewEpoch() {
    SimulatedDisk disk = new SimulatedDisk();
    JournaledStore<Integer> store = (JournaledStore<Integer>) simulated(disk, Durability.ASYNC)
        .flushInterval(Duration.ofMillis(10)).build();
    long epoch = store.epoch();
    failJournalForces(disk);
    Snapshot<Integer> one = store.update(x -> x + 100); // ASYNC: acknowledged and visible
    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(one.version()))
        .expectError(FileStoreException.class)
        .verify(TIMEOUT);
    assertThat(store.snapshot().version()).isEqualTo(1);
    store.crash();
    disk.fault((op, path) -> {});
    disk.powerLoss(new Random(2), true);

    try (FileStore<Integer> reopened = simulated(disk, Durability.ASYNC).build()) {
      assertThat(reopened.snapshot().version()).isZero();
      assertThat(reopened.epoch())
          .as("version 1 was seen as 100; the next version 1 lives in another epoch")
          .isNotEqualTo(epoch);
      assertThat(reopened.recovery().newEpoch()).isTrue();
    }
  }

  // --- item 3: a missing journal is corruption ------------------------------------------------

  @Test
  void missingJournalAfterFirstOpen_refusesToOpenInsteadOfStartingOlder() throws IOException {
    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir).build()) {
      for (int i = 0; i < 5; i++) {
        store.update(x -> x + 1);
      }
    }
    Files.delete(dir.resolve("journal.log"));

    assertThatThrownBy(() -> FileStore.builder(0, Integer.class).directory(dir).build())
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("journal.log is missing")
        .hasMessageContaining("restartFromSnapshot()");

    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir)
        .restartFromSnapshot().build()) {
      assertThat(store.snapshot().version()).as("the operator accepted the loss").isZero();
      assertThat(store.recovery().newEpoch()).isTrue();
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("journal.log is missing", "new epoch");
    }
  }

  @Test
  void journalDeletedUnderRunningStore_nextUpdateFailsAndReopenRefuses() throws IOException {
    FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir).build();
    store.update(x -> x + 1);
    Files.delete(dir.resolve("journal.log"));

    assertThatThrownBy(() -> store.update(x -> x + 1))
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("journal.log was removed under the running store");
    assertThat(store.journalFailure()).isPresent();
    assertThat(store.snapshot().version()).isEqualTo(1);
    assertThatThrownBy(store::close).isInstanceOf(FileStoreException.class);

    assertThatThrownBy(() -> FileStore.builder(0, Integer.class).directory(dir).build())
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("journal.log is missing");
  }

  @Test
  void interruptedCreation_journalWithoutSnapshot_opensAsNewStore() throws IOException {
    SimulatedDisk disk = new SimulatedDisk();
    AtomicInteger renames = new AtomicInteger();
    disk.fault((op, path) -> {
      if (op.equals("replace") && renames.incrementAndGet() == 2) {
        throw new IOException("simulated crash before the snapshot's rename");
      }
    });
    assertThatThrownBy(() -> simulated(disk, Durability.SYNC).build())
        .isInstanceOf(FileStoreException.class);
    disk.fault((op, path) -> {});
    disk.powerLoss(new Random(3), true);

    try (FileStore<Integer> store = simulated(disk, Durability.SYNC).build()) {
      assertThat(store.snapshot().version()).isZero();
      assertThat(store.recovery().newStore()).isTrue();
    }
  }

  // --- item 5: the ASYNC loss window and stalls -------------------------------------------------

  /** An ASYNC store on a manual clock whose journal fsyncs hang on {@code gate} once open. */
  private static JournaledStore<Integer> asyncOnHungDisk(AtomicLong clock, ForceGate gate,
      Duration flushInterval, Duration stallTimeout) {
    SimulatedDisk disk = new SimulatedDisk();
    gate.armed = false; // the open's own fsyncs go through
    disk.fault(gate);
    FileStoreBuilder<Integer> b = simulated(disk, Durability.ASYNC)
        .flushInterval(flushInterval).stallTimeout(stallTimeout);
    b.nanoTime = clock::get;
    JournaledStore<Integer> store = (JournaledStore<Integer>) b.build();
    gate.armed = true;
    return store;
  }

  @Test
  void async_slowFsync_nextFlushCountsFromTheStartOfTheLast() throws Exception {
    AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1000));
    ForceGate gate = new ForceGate();
    JournaledStore<Integer> store =
        asyncOnHungDisk(clock, gate, Duration.ofHours(1), Duration.ofHours(10));
    store.update(x -> x + 1); // the journal is idle: its flush starts now
    gate.awaitEntered();
    store.update(x -> x + 1); // committed while that flush's fsync runs
    clock.addAndGet(TimeUnit.HOURS.toNanos(1)); // the fsync takes a whole flush interval
    gate.open();

    // Version 2 was committed at t; the flush covering it must start by t + interval, which is
    // now: counting the interval from the end of the slow flush would wait another hour.
    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(2))
        .then(store::wakeJournal)
        .expectNext(2L)
        .expectComplete().verify(TIMEOUT);
    store.close();
  }

  @Test
  void async_fsyncStalls_updatesRefusedAfterStallTimeoutThenResume() throws Exception {
    AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1000));
    ForceGate gate = new ForceGate();
    JournaledStore<Integer> store =
        asyncOnHungDisk(clock, gate, Duration.ofSeconds(1), Duration.ofSeconds(10));
    store.update(x -> x + 1);
    gate.awaitEntered();
    store.update(x -> x + 1);
    assertThat(store.journalStats().stalled()).isFalse();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(11));

    assertThat(store.journalStats().stalled()).isTrue();
    assertThat(store.journalStats().pendingMillis()).isGreaterThanOrEqualTo(11_000);
    assertThatThrownBy(() -> store.update(x -> x + 1))
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("stalled")
        .hasMessageContaining("Nothing was committed");
    assertThat(store.snapshot().version()).as("the refused update committed nothing")
        .isEqualTo(2);

    gate.open();
    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(2)).expectNext(2L).expectComplete().verify(TIMEOUT);
    assertThat(store.journalStats().stalled()).isFalse();
    assertThat(store.update(x -> x + 1).version()).as("updates resume").isEqualTo(3);
    store.close();
  }

  @Test
  void sync_fsyncStalls_waitingWriterFailsUnacknowledgedAndNothingBecomesVisibleEarly()
      throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    ForceGate gate = new ForceGate();
    gate.armed = false;
    disk.fault(gate);
    JournaledStore<Integer> store = (JournaledStore<Integer>) simulated(disk, Durability.SYNC)
        .stallTimeout(Duration.ofMillis(200)).build();
    gate.armed = true;

    assertThatThrownBy(() -> store.update(x -> x + 1))
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("version 1 is committed in memory but not acknowledged")
        .hasMessageContaining("not visible");
    assertThat(store.snapshot().version()).isZero();
    assertThat(store.journalStats().stalled()).isTrue();
    assertThatThrownBy(() -> store.update(x -> x + 1))
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("stalled");

    gate.open();
    StepVerifier.create(((JournaledStore<?>) store).awaitDurable(1)).expectNext(1L).expectComplete().verify(TIMEOUT);
    assertThat(store.snapshot().version()).as("visible once durable").isEqualTo(1);
    assertThat(store.update(x -> x + 1).version()).isEqualTo(2);
    store.close();
  }
}
