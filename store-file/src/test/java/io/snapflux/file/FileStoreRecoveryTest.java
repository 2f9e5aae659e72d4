package io.snapflux.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.file.JournalFormat.Header;
import io.snapflux.file.JournalFormat.Scan;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery from torn and damaged files: the last valid version, or a clear refusal. */
final class FileStoreRecoveryTest {

  @TempDir Path dir;

  private FileStore<Integer> open() {
    return FileStore.builder(0, Integer.class).directory(dir).build();
  }

  private long epochBefore;

  /** Commits versions 1..n one at a time (SYNC, one thread: one journal record each). */
  private void writeVersions(int n) {
    try (FileStore<Integer> store = open()) {
      epochBefore = store.epoch();
      for (int i = 0; i < n; i++) {
        store.update(x -> x + 1);
      }
    }
  }

  /** The journal's state records: {version, offset, payload length}, in file order. */
  private List<long[]> records() throws IOException {
    Path journal = dir.resolve(JournalDirectory.JOURNAL);
    List<long[]> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ)) {
      Header h = JournalFormat.readHeader(ch, JournalFormat.JOURNAL_MAGIC, journal);
      long pos = JournalFormat.BLOCK;
      long size = ch.size();
      while (pos < size) {
        java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(JournalFormat.RECORD_HEAD_SIZE);
        JournalFormat.readFully(ch, head, pos);
        head.flip();
        int length = head.getInt();
        int type = head.getInt();
        if (type == JournalFormat.TYPE_STATE) {
          out.add(new long[] {head.getLong(), pos, length});
        }
        pos = JournalFormat.align(pos + JournalFormat.RECORD_HEAD_SIZE + length);
      }
      Scan scan = JournalFormat.scan(ch, h, journal);
      assertThat(scan.tailProblem()).isNull();
      assertThat(scan.damaged()).isEmpty();
    }
    return out;
  }

  private void assertDamagedJournalKept() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("the damaged journal is kept for inspection")
          .anyMatch(n -> n.startsWith("journal.log.corrupt-"));
    }
  }

  @Test
  void reopen_afterCleanClose_restoresStateAndVersionWithoutWarnings() {
    writeVersions(10);

    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(10);
      assertThat(store.snapshot().state()).isEqualTo(10);
      assertThat(store.recovery().repaired()).isFalse();
      assertThat(store.recovery().newStore()).isFalse();
    }
  }

  @Test
  void truncatedTail_recoversLastCompleteVersionAndWarns() throws IOException {
    writeVersions(10);
    List<long[]> recs = records();
    assertThat(recs).hasSize(10);
    long[] last = recs.get(9);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("journal.log").toFile(), "rw")) {
      f.setLength(last[1] + JournalFormat.RECORD_HEAD_SIZE + last[2] - 3); // torn mid-record
    }

    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(9);
      assertThat(store.snapshot().state()).isEqualTo(9);
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("journal.log", "offset " + last[1], "last valid version, 9");
      store.update(x -> x + 1);
    }
    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(10);
      assertThat(store.recovery().repaired()).isFalse();
    }
  }

  @Test
  void corruptedByteInMiddleRecord_intactRecordsFollow_recoversNewestIntactVersionAndWarns()
      throws IOException {
    writeVersions(10);
    long[] seventh = records().get(6);
    assertThat(seventh[0]).isEqualTo(7);
    flipByte(dir.resolve("journal.log"), seventh[1] + JournalFormat.RECORD_HEAD_SIZE + 9);

    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version())
          .as("every record is a full state: the newest intact one loses nothing")
          .isEqualTo(10);
      assertThat(store.snapshot().state()).isEqualTo(10);
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("checksum mismatch", "offset " + seventh[1], "newest intact record");
      assertThat(store.epoch()).as("nothing acknowledged was lost").isEqualTo(epochBefore);
    }
    assertDamagedJournalKept();
  }

  /**
   * Issue 16, item 4: a damaged length field of a middle record used to look like a record
   * running past the end of the file, a torn tail, and the intact records after it were
   * overwritten. Every byte of the length field of every record but the last, flipped.
   */
  @Test
  void lengthFieldDamagedInAnyMiddleRecord_neverClassifiedAsTornTail_laterRecordsUsedAndKept()
      throws IOException {
    writeVersions(10);
    List<long[]> recs = records();
    Path template = dir.resolve("journal.log");
    byte[] original = Files.readAllBytes(template);
    byte[] snapshotBytes = Files.readAllBytes(dir.resolve("snapshot.dat"));
    for (int r = 0; r < recs.size() - 1; r++) {
      for (int b = 0; b < 4; b++) {
        Path caseDir = dir.resolve("case-" + r + "-" + b);
        Files.createDirectories(caseDir);
        byte[] damaged = original.clone();
        damaged[(int) recs.get(r)[1] + b] ^= 0x5A;
        Files.write(caseDir.resolve("journal.log"), damaged);
        Files.write(caseDir.resolve("snapshot.dat"), snapshotBytes);

        try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(caseDir)
            .build()) {
          assertThat(store.snapshot().version()).as("record %d, byte %d", r + 1, b)
              .isEqualTo(10);
          assertThat(store.recovery().warnings()).as("record %d, byte %d", r + 1, b)
              .singleElement().asString()
              .contains("offset " + recs.get(r)[1], "followed by intact records");
        }
        try (Stream<Path> files = Files.list(caseDir)) {
          Path kept = files.filter(p -> p.getFileName().toString()
              .startsWith("journal.log.corrupt-")).findFirst().orElseThrow();
          assertThat(Files.readAllBytes(kept)).as("the damaged journal is kept unchanged")
              .isEqualTo(damaged);
        }
      }
    }
  }

  @Test
  void corruptedByteInLastRecord_recoversPreviousVersionAndKeepsTheJournal() throws IOException {
    writeVersions(10);
    long[] tenth = records().get(9);
    flipByte(dir.resolve("journal.log"), tenth[1] + JournalFormat.RECORD_HEAD_SIZE + 9);

    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(9);
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("checksum mismatch", "offset " + tenth[1], "last valid version, 9");
    }
    assertDamagedJournalKept();
  }

  @Test
  void corruptedVersionField_detectedByHeadChecksum_laterRecordsStillUsed() throws IOException {
    writeVersions(5);
    long[] third = records().get(2);
    flipByte(dir.resolve("journal.log"), third[1] + 15); // low byte of the version

    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(5);
      assertThat(store.snapshot().state()).isEqualTo(5);
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("record head checksum mismatch", "offset " + third[1]);
    }
  }

  @Test
  void corruptSnapshot_withoutNewerJournalRecords_failsClearlyInsteadOfStartingEmpty()
      throws IOException {
    writeVersions(10);
    try (FileStore<Integer> store = open()) { // compacts: snapshot at 10, empty journal
      assertThat(store.snapshot().version()).isEqualTo(10);
    }
    Path snapshot = dir.resolve("snapshot.dat");
    flipByte(snapshot, JournalFormat.BLOCK + JournalFormat.RECORD_HEAD_SIZE + 2);

    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("snapshot.dat")
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("refusing to start from an empty or older state");
  }

  @Test
  void corruptSnapshotHeader_failsClearly() throws IOException {
    writeVersions(3);
    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(3);
    }
    flipByte(dir.resolve("snapshot.dat"), 2);

    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("snapshot.dat: file header checksum mismatch");
  }

  @Test
  void corruptSnapshot_withNewerJournalRecords_recoversFromJournalAndWarns() throws IOException {
    writeVersions(4); // snapshot at 0 (created at first open), journal 1..4
    flipByte(dir.resolve("snapshot.dat"), JournalFormat.BLOCK + JournalFormat.RECORD_HEAD_SIZE + 2);

    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(4);
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("snapshot.dat", "recovered version 4");
    }
  }

  @Test
  void corruptJournalHeader_failsClearlyRatherThanDropAcknowledgedVersions() throws IOException {
    writeVersions(3);
    flipByte(dir.resolve("journal.log"), 14);

    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("journal.log: file header checksum mismatch")
        .hasMessageContaining("restartFromSnapshot()");
  }

  @Test
  void corruptJournalHeader_restartFromSnapshot_opensAtSnapshotUnderNewEpochAndKeepsJournal()
      throws IOException {
    writeVersions(3); // snapshot at 0, journal 1..3
    flipByte(dir.resolve("journal.log"), 14);

    try (FileStore<Integer> store = FileStore.builder(0, Integer.class).directory(dir)
        .restartFromSnapshot().build()) {
      assertThat(store.snapshot().version()).isZero();
      assertThat(store.epoch()).as("versions 1..3 are lost: a new epoch says so")
          .isNotEqualTo(epochBefore);
      assertThat(store.recovery().newEpoch()).isTrue();
      assertThat(store.recovery().warnings()).singleElement().asString()
          .contains("file header checksum mismatch", "restartFromSnapshot");
    }
    assertDamagedJournalKept();
  }

  @Test
  void formatOneFiles_refusedNamingTheFormat() throws IOException {
    java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(64);
    v1.putLong(0x534E50464C585331L).putInt(1); // "SNPFLXS1", format 1
    Files.write(dir.resolve("snapshot.dat"), v1.array());
    v1.putLong(0, 0x534E50464C584A31L); // "SNPFLXJ1"
    Files.write(dir.resolve("journal.log"), v1.array());

    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("written in file format 1");
  }

  @Test
  void missingSnapshotAndEmptyJournal_failsRatherThanStartEmpty() throws IOException {
    writeVersions(2);
    try (FileStore<Integer> store = open()) {
      assertThat(store.snapshot().version()).isEqualTo(2);
    }
    Files.delete(dir.resolve("snapshot.dat"));

    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("snapshot.dat is missing");
  }

  @Test
  void directoryAlreadyOpen_secondStoreFailsClearly() {
    try (FileStore<Integer> store = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(FileStoreException.class)
          .hasMessageContaining("already open");
      assertThat(store.update(x -> x + 1).version()).isEqualTo(1);
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x5A);
    }
  }
}
