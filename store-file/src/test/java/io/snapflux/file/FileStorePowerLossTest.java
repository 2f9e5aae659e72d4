package io.snapflux.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Power loss on a {@link SimulatedDisk}: whatever was not forced may be lost or torn, sector by
 * sector, and unsynced directory entries vanish. Unlike a SIGKILL (which keeps the page cache),
 * these tests fail when any {@code force} of the journal, of a new file or of a directory is
 * left out: each was removed in turn and watched failing (see docs/file-backend.md, "Power-loss
 * tests").
 */
final class FileStorePowerLossTest {

  /** Four directory levels that do not exist yet: every one must be forced into its parent. */
  private static final Path DIR = Path.of("/sim/apps/stores/counter");
  private static final int SEEDS = 40;

  private static FileStoreBuilder<Integer> counter(SimulatedDisk disk, Durability durability) {
    FileStoreBuilder<Integer> b = FileStore.builder(0, Integer.class).directory(DIR)
        .durability(durability);
    b.storage = disk;
    return b;
  }

  @Test
  void sync_powerLossAfterAcknowledgements_keepsEveryAcknowledgedVersionAndTheEpoch() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      SimulatedDisk disk = new SimulatedDisk();
      // Every third run compacts after each record: snapshot and journal renames under load.
      long threshold = seed % 3 == 0 ? 1 : FileStoreBuilder.DEFAULT_COMPACTION_THRESHOLD;
      JournaledStore<Integer> store = (JournaledStore<Integer>) counter(disk, Durability.SYNC)
          .compactionThreshold(threshold).build();
      long epoch = store.epoch();
      long acknowledged = 0;
      for (int i = 1 + random.nextInt(6); i > 0; i--) {
        acknowledged = store.update(x -> x + 1).version();
      }
      store.crash();
      disk.powerLoss(random, true);

      try (FileStore<Integer> reopened = counter(disk, Durability.SYNC).build()) {
        assertThat(reopened.snapshot().version()).as("seed %d", seed).isEqualTo(acknowledged);
        assertThat(reopened.snapshot().state()).as("seed %d: state and version belong together", seed)
            .isEqualTo((int) acknowledged);
        assertThat(reopened.epoch()).as("seed %d: SYNC lost nothing visible", seed)
            .isEqualTo(epoch);
      }
    }
  }

  /**
   * A power loss while the next record is being written, on a device that garbles whole sectors
   * it was writing: the acknowledged record before it must survive. It does because an append
   * never writes into a block holding an acknowledged record (records are padded to 4 KiB).
   */
  @Test
  void sync_powerLossDuringAppend_neverDamagesThePreviousAcknowledgedRecord() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      SimulatedDisk disk = new SimulatedDisk();
      JournaledStore<Integer> store = (JournaledStore<Integer>) counter(disk, Durability.SYNC)
          .build();
      long acknowledged = 0;
      for (int i = 1 + random.nextInt(4); i > 0; i--) {
        acknowledged = store.update(x -> x + 1).version();
      }
      // The next record is written, then power fails before its fsync completes (the fsync
      // and the cut-back after it fail: the record's sectors are in flight).
      disk.fault((op, path) -> {
        if ((op.equals("force") || op.equals("truncate")) && path.endsWith("journal.log")) {
          throw new IOException("power failing");
        }
      });
      assertThatThrownBy(() -> store.update(x -> x + 1)).isInstanceOf(FileStoreException.class);
      store.crash();
      disk.fault((op, path) -> {});
      disk.powerLoss(random, true);

      try (FileStore<Integer> reopened = counter(disk, Durability.SYNC).build()) {
        assertThat(reopened.snapshot().version()).as("seed %d", seed)
            .isBetween(acknowledged, acknowledged + 1);
        assertThat(reopened.snapshot().state()).isEqualTo((int) reopened.snapshot().version());
      }
    }
  }

  @Test
  void async_cleanCloseThenPowerLoss_keepsEveryVersionAndTheEpoch() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      SimulatedDisk disk = new SimulatedDisk();
      long epoch;
      int n = 1 + random.nextInt(6);
      try (FileStore<Integer> store = counter(disk, Durability.ASYNC).build()) {
        epoch = store.epoch();
        for (int i = 0; i < n; i++) {
          store.update(x -> x + 1);
        }
      }
      disk.powerLoss(random, true);

      try (FileStore<Integer> reopened = counter(disk, Durability.ASYNC).build()) {
        assertThat(reopened.snapshot().version()).as("seed %d", seed).isEqualTo(n);
        assertThat(reopened.epoch()).as("seed %d: the close marker proves a clean shutdown",
            seed).isEqualTo(epoch);
        assertThat(reopened.recovery().newEpoch()).isFalse();
      }
    }
  }

  @Test
  void async_powerLossWithoutClose_keepsDurableVersionsAndStartsANewEpoch() {
    for (int seed = 0; seed < SEEDS / 4; seed++) {
      Random random = new Random(seed);
      SimulatedDisk disk = new SimulatedDisk();
      JournaledStore<Integer> store = (JournaledStore<Integer>) counter(disk, Durability.ASYNC)
          .flushInterval(Duration.ofHours(1)).build();
      long epoch = store.epoch();
      store.update(x -> x + 1);
      assertThat(((JournaledStore<?>) store).awaitDurable(1).block(Duration.ofSeconds(10))).isEqualTo(1);
      for (int i = 0; i < 3; i++) {
        store.update(x -> x + 1); // acknowledged and visible, not durable: the flush waits 1 h
      }
      store.crash();
      disk.powerLoss(random, true);

      try (FileStore<Integer> reopened = counter(disk, Durability.ASYNC).build()) {
        assertThat(reopened.snapshot().version()).as("seed %d", seed).isEqualTo(1);
        assertThat(reopened.epoch())
            .as("seed %d: versions 2..4 were seen and are lost: a new epoch says so", seed)
            .isNotEqualTo(epoch);
        assertThat(reopened.recovery().newEpoch()).isTrue();
        assertThat(reopened.recovery().warnings()).anySatisfy(w -> assertThat(w)
            .contains("ASYNC", "did not shut down cleanly", "new epoch"));
      }
    }
  }

  @Test
  void sync_journalForceFails_versionCutBackSoItNeverReturnsAfterPowerLoss() {
    SimulatedDisk disk = new SimulatedDisk();
    JournaledStore<Integer> store = (JournaledStore<Integer>) counter(disk, Durability.SYNC)
        .build();
    store.update(x -> x + 1);
    AtomicInteger journalForces = new AtomicInteger();
    disk.fault((op, path) -> {
      if (op.equals("force") && path.endsWith("journal.log")
          && journalForces.incrementAndGet() == 1) {
        throw new IOException("simulated EIO from fsync");
      }
    });

    assertThatThrownBy(() -> store.update(x -> x + 1))
        .isInstanceOf(FileStoreException.class)
        .hasMessageContaining("nothing after it is (the journal was cut back to it)");
    assertThat(store.snapshot().version()).isEqualTo(1);
    store.crash();
    disk.fault((op, path) -> {});
    // The failed record's pages reached the disk anyway (fsync failed, writeback went on): only
    // the forced truncation keeps them out.
    disk.powerLossKeepingWritesOnly();

    try (FileStore<Integer> reopened = counter(disk, Durability.SYNC).build()) {
      assertThat(reopened.snapshot().version())
          .as("the failed update is not on disk: its failure told the truth").isEqualTo(1);
    }
  }

  @Test
  void damagedJournal_crashAtEveryStepOfRecovery_neverLosesTheNewestIntactVersion()
      throws IOException {
    for (int crashAt = 1; ; crashAt++) {
      SimulatedDisk disk = new SimulatedDisk();
      try (FileStore<Integer> store = counter(disk, Durability.SYNC).build()) {
        for (int i = 0; i < 4; i++) {
          store.update(x -> x + 1);
        }
      }
      // Media damage in the record of version 2 (the second record block): 3 and 4 follow.
      disk.damage(DIR.resolve("journal.log"), 2L * JournalFormat.BLOCK + 40, (byte) 0x5A);
      AtomicInteger ops = new AtomicInteger();
      int at = crashAt;
      disk.fault((op, path) -> {
        if (ops.incrementAndGet() == at) {
          throw new IOException("simulated crash at operation " + at + " (" + op + " " + path
              + ")");
        }
      });
      boolean opened;
      try (FileStore<Integer> store = counter(disk, Durability.SYNC).build()) {
        opened = true;
        assertThat(store.snapshot().version()).isEqualTo(4);
      } catch (FileStoreException e) {
        opened = false;
      }
      disk.fault((op, path) -> {});
      disk.powerLoss(new Random(crashAt), true);

      try (FileStore<Integer> reopened = counter(disk, Durability.SYNC).build()) {
        assertThat(reopened.snapshot().version()).as("crash at operation %d", crashAt)
            .isEqualTo(4);
        assertThat(reopened.snapshot().state()).isEqualTo(4);
      }
      assertThat(disk.list(DIR)).as("crash at operation %d", crashAt)
          .anyMatch(n -> n.startsWith(JournalDirectory.CORRUPT));
      if (opened) {
        return; // the crash point lay past the end of recovery: every step was covered
      }
    }
  }
}
