package io.snapflux.file;

import io.snapflux.file.JournalFormat.Entry;
import io.snapflux.file.JournalFormat.Header;
import io.snapflux.file.JournalFormat.Scan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The files of one store: {@code snapshot.dat}, {@code journal.log}, and {@code lock}, which is
 * held (an OS file lock) for as long as the store is open.
 *
 * <p>Both data files are only ever created by writing a temporary file, forcing it, renaming it
 * over the old one with an atomic move and forcing the directory; so each is either the old
 * complete file or the new complete file, and only the journal's tail can be torn by a crash. A
 * new store writes its journal before its snapshot, and later compactions replace the journal
 * by renaming over it, so once a store exists its directory always holds a journal: a missing
 * one is damage, never a normal state.
 */
final class JournalDirectory implements AutoCloseable {

  private static final Logger LOG = Loggers.getLogger(JournalDirectory.class);

  static final String SNAPSHOT = "snapshot.dat";
  static final String JOURNAL = "journal.log";
  static final String LOCK = "lock";
  static final String CORRUPT = JOURNAL + ".corrupt-";

  final Path dir;
  final Path snapshotFile;
  final Path journalFile;
  final Storage storage;
  private final String storeName;
  private final AutoCloseable lock;
  /** The identity of the journal this store appends to; null where the OS has none. */
  private volatile @Nullable Object journalKey;

  /**
   * What recovery found.
   *
   * @param entry the entry to restore, null for a new store
   * @param epoch the store's epoch from now on
   * @param newEpoch whether {@code epoch} differs from the epoch of the files (always for a new
   *     store)
   * @param keepCorruptJournal whether the journal holds damage worth keeping for inspection
   */
  record Recovered(@Nullable Entry entry, int schemaVersion, String source, List<String> warnings,
      boolean keepCorruptJournal, long epoch, boolean newEpoch) {}

  private JournalDirectory(Path dir, String storeName, Storage storage, AutoCloseable lock) {
    this.dir = dir;
    this.snapshotFile = dir.resolve(SNAPSHOT);
    this.journalFile = dir.resolve(JOURNAL);
    this.storeName = storeName;
    this.storage = storage;
    this.lock = lock;
  }

  static JournalDirectory open(Path dir, String storeName, Storage storage) {
    try {
      createDirectories(dir.toAbsolutePath(), storage);
      AutoCloseable lock = storage.tryLock(dir.resolve(LOCK));
      if (lock == null) {
        throw new FileStoreException(storeName, "store '" + storeName + "': directory " + dir
            + " is in use by another process");
      }
      return new JournalDirectory(dir, storeName, storage, lock);
    } catch (OverlappingFileLockException e) {
      throw new FileStoreException(storeName, "store '" + storeName + "': directory " + dir
          + " is already open by another FileStore in this JVM", e);
    } catch (IOException e) {
      throw new FileStoreException(storeName, "store '" + storeName + "': cannot open directory " + dir, e);
    }
  }

  /**
   * Creates every missing level of {@code dir}, forcing each parent after creating a level in
   * it: a new store directory (and the directories above it) must survive a power loss too, or
   * the store would come back as a new, empty store.
   */
  private static void createDirectories(Path dir, Storage storage) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null && !storage.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    while (!missing.isEmpty()) {
      Path level = missing.pop();
      storage.createDirectory(level);
      Path parent = level.getParent();
      if (parent != null) {
        storage.forceDirectory(parent);
      }
    }
  }

  /**
   * Finds the newest valid version and decides the epoch; see docs/file-backend.md, "Recovery
   * rules", which this follows rule by rule.
   *
   * @param restartFromSnapshot whether the operator accepted losing a missing or unreadable
   *     journal
   */
  Recovered recover(boolean restartFromSnapshot) throws IOException {
    deleteTemporaryFiles();
    boolean hasSnapshot = storage.exists(snapshotFile);
    boolean hasJournal = storage.exists(journalFile);
    if (!hasSnapshot && !hasJournal) {
      return new Recovered(null, 0, "initial", List.of(), false, JournalFormat.newRandomId(),
          true);
    }
    List<String> warnings = new ArrayList<>();
    Entry snapshot = null;
    Header snapshotHeader = null;
    String snapshotProblem = null;
    if (hasSnapshot) {
      try (FileChannel ch = storage.open(snapshotFile, Set.of(StandardOpenOption.READ))) {
        snapshotHeader = JournalFormat.readHeader(ch, JournalFormat.SNAPSHOT_MAGIC, snapshotFile);
        snapshot = JournalFormat.readSnapshotRecord(ch, snapshotHeader, snapshotFile);
      } catch (CorruptStoreException e) {
        snapshotProblem = e.getMessage();
      }
    } else {
      snapshotProblem = snapshotFile + " is missing";
    }
    Scan journal = null;
    String journalProblem = null;
    if (hasJournal) {
      try (FileChannel ch = storage.open(journalFile, Set.of(StandardOpenOption.READ))) {
        Header h = JournalFormat.readHeader(ch, JournalFormat.JOURNAL_MAGIC, journalFile);
        journal = JournalFormat.scan(ch, h, journalFile);
      } catch (CorruptStoreException e) {
        journalProblem = e.getMessage();
      }
    } else {
      journalProblem = journalFile + " is missing";
    }
    if (journalProblem != null) {
      // The journal may hold acknowledged versions newer than the snapshot: never drop them
      // silently. Only the operator can accept that loss.
      if (snapshot == null || !restartFromSnapshot) {
        throw new CorruptStoreException(storeName, "store '" + storeName + "': " + journalProblem
            + "; the journal may hold acknowledged versions newer than " + snapshotFile
            + (snapshot == null ? " (" + snapshotProblem + ")" : ", at version "
                + snapshot.version())
            + ", so the store does not open. To restart from the snapshot file alone, "
            + "accepting that loss (under a new epoch), build the store once with "
            + "restartFromSnapshot()");
      }
      String w = "store '" + storeName + "': " + journalProblem + "; restarted from "
          + snapshotFile + " at version " + snapshot.version()
          + " as asked (restartFromSnapshot); versions after it may be lost: new epoch";
      LOG.warn(w);
      warnings.add(w);
      return new Recovered(snapshot, snapshotHeader.schemaVersion(), snapshotFile.toString(),
          warnings, hasJournal, JournalFormat.newRandomId(), true);
    }
    for (String d : journal.damaged()) {
      String w = journalFile + ": " + d + "; every record holds a full state, so the newest "
          + "intact record is used";
      LOG.warn("store '{}': {}", storeName, w);
      warnings.add(w);
    }
    if (journal.tailProblem() != null) {
      long kept = journal.last() != null ? journal.last().version()
          : journal.header().baseVersion();
      String w = journalFile + ": " + journal.tailProblem() + " at offset " + journal.validEnd()
          + " (" + (journal.size() - journal.validEnd()) + " bytes discarded); recovered "
          + "the last valid version, " + kept;
      LOG.warn("store '{}': {}", storeName, w);
      warnings.add(w);
    }
    Entry fromJournal = journal.last();
    boolean keepCorrupt = !journal.damaged().isEmpty()
        || (journal.tailProblem() != null && !journal.torn());
    Header jh = journal.header();
    Entry chosen;
    int schema;
    String source;
    long filesEpoch;
    if (snapshotProblem != null) {
      // The journal follows the snapshot at its base version and every record holds a full
      // state; a compaction only ever snapshots a version already in the journal. So a valid
      // journal record newer than the base is at least as new as the damaged snapshot.
      if (fromJournal == null || fromJournal.version() <= jh.baseVersion()) {
        if (!hasSnapshot && jh.baseVersion() == 0 && fromJournal == null
            && journal.damaged().isEmpty()) {
          // A new store writes its journal first: its creation was interrupted before the
          // snapshot of version 0 was written. Nothing was ever acknowledged after it.
          String w = "store '" + storeName + "': creation was interrupted before " + SNAPSHOT
              + " was written; starting as a new store";
          LOG.warn(w);
          warnings.add(w);
          return new Recovered(null, 0, "initial", warnings, false, JournalFormat.newRandomId(),
              true);
        }
        throw new CorruptStoreException(storeName, "store '" + storeName + "': " + snapshotProblem
            + ", and " + journalFile + " holds no valid version newer than it"
            + "; refusing to start from an empty or older state. Restore " + snapshotFile
            + " from a backup, or delete the directory " + dir + " to start a new store");
      }
      String w = "store '" + storeName + "': " + snapshotProblem + "; recovered version "
          + fromJournal.version() + " from " + journalFile;
      LOG.warn(w);
      warnings.add(w);
      chosen = fromJournal;
      schema = jh.schemaVersion();
      source = journalFile.toString();
      filesEpoch = jh.epoch();
    } else if (fromJournal != null && fromJournal.version() > snapshot.version()) {
      chosen = fromJournal;
      schema = jh.schemaVersion();
      source = journalFile.toString();
      filesEpoch = snapshotHeader.epoch();
    } else {
      chosen = snapshot;
      schema = snapshotHeader.schemaVersion();
      source = snapshotFile.toString();
      filesEpoch = snapshotHeader.epoch();
    }
    // The epoch. SYNC publishes only durable versions, so an unclean SYNC shutdown loses
    // nothing any reader saw. ASYNC acknowledges before the disk: unless the journal ends with
    // the close marker of a clean shutdown, versions someone saw may be lost, and the versions
    // this store issues next would name other states. A new epoch makes that visible.
    boolean clean = journal.closed() && jh.epoch() == filesEpoch;
    if (jh.async() && !clean) {
      long epoch = JournalFormat.newRandomId();
      String w = "store '" + storeName + "': " + journalFile + " was written with ASYNC "
          + "durability and the store did not shut down cleanly, so versions acknowledged "
          + "after " + chosen.version() + " may be lost; new epoch " + Long.toHexString(epoch)
          + " (was " + Long.toHexString(filesEpoch) + ")";
      LOG.warn(w);
      warnings.add(w);
      return new Recovered(chosen, schema, source, warnings, keepCorrupt, epoch, true);
    }
    return new Recovered(chosen, schema, source, warnings, keepCorrupt, filesEpoch, false);
  }

  /**
   * Keeps the damaged journal for inspection under a second name, {@code journal.log.corrupt-
   * <millis>}, before a compaction replaces {@code journal.log}: a hard link (no space needed,
   * so it works on a full disk) or else a copy. The
   * damaged file thus outlives the compaction, and if the compaction fails, {@code journal.log}
   * is still there for the next open.
   */
  void keepCorruptJournal() throws IOException {
    Path aside = dir.resolve(CORRUPT + System.currentTimeMillis());
    for (int i = 1; storage.exists(aside); i++) {
      aside = dir.resolve(CORRUPT + System.currentTimeMillis() + "-" + i);
    }
    storage.link(aside, journalFile);
    // No directory force of its own: the compaction that follows forces the directory after
    // renaming the new snapshot, before it replaces journal.log, and that makes the link durable
    // too. Until then journal.log itself is still there.
    LOG.warn("store '{}': kept the damaged journal as {}", storeName, aside);
  }

  /** What a compaction produced: the new journal, open for appending, and its salt. */
  record Compacted(FileChannel channel, long salt, long size) {}

  /**
   * Makes {@code state} (the newest durable version) the snapshot file and starts an empty
   * journal following it; returns the new journal. A crash at any point leaves either the old
   * files, or the new snapshot with the old journal (whose records are then at most as new as
   * the snapshot), or the new files. A new store ({@code creating}) writes its journal first,
   * so that once a snapshot exists, a journal does too.
   */
  Compacted compact(Entry state, long epoch, int schemaVersion, boolean async, boolean creating)
      throws IOException {
    int flags = async ? JournalFormat.FLAG_ASYNC : 0;
    long snapshotSalt = JournalFormat.newRandomId();
    long journalSalt = JournalFormat.newRandomId();
    ByteBuffer snapshotHeader = JournalFormat.header(new Header(JournalFormat.SNAPSHOT_MAGIC,
        schemaVersion, state.version(), epoch, snapshotSalt, flags));
    ByteBuffer record = JournalFormat.record(state.version(), state.timestampMillis(),
        state.cause(), state.state(), snapshotSalt);
    ByteBuffer journalHeader = JournalFormat.header(new Header(JournalFormat.JOURNAL_MAGIC,
        schemaVersion, state.version(), epoch, journalSalt, flags));
    if (creating) {
      writeAtomically(journalFile, journalHeader, null);
      writeAtomically(snapshotFile, snapshotHeader, record);
    } else {
      writeAtomically(snapshotFile, snapshotHeader, record);
      writeAtomically(journalFile, journalHeader, null);
    }
    FileChannel ch = storage.open(journalFile, Set.of(StandardOpenOption.WRITE,
        StandardOpenOption.READ));
    try {
      journalKey = storage.fileKey(journalFile);
      return new Compacted(ch, journalSalt, ch.size());
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  /**
   * Fails if {@code journal.log} is no longer the file this store appends to (deleted or
   * replaced under the running store): appends to it would be lost at the next open.
   */
  void checkJournalIsOurs() throws IOException {
    Object expected = journalKey;
    if (expected == null) {
      return;
    }
    Object now;
    try {
      now = storage.fileKey(journalFile);
    } catch (IOException e) {
      throw new IOException(journalFile + " was removed under the running store", e);
    }
    if (!Objects.equals(expected, now)) {
      throw new IOException(journalFile + " was replaced under the running store");
    }
  }

  private void writeAtomically(Path target, ByteBuffer header, @Nullable ByteBuffer body)
      throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = storage.open(tmp, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))) {
      JournalFormat.writeFully(ch, header.duplicate(), 0);
      if (body != null) {
        JournalFormat.writeFully(ch, body.duplicate(), JournalFormat.BLOCK);
      }
      ch.force(true);
    }
    storage.replace(tmp, target);
    storage.forceDirectory(dir);
  }

  private void deleteTemporaryFiles() throws IOException {
    storage.deleteIfExists(dir.resolve(SNAPSHOT + ".tmp"));
    storage.deleteIfExists(dir.resolve(JOURNAL + ".tmp"));
  }

  @Override
  public void close() {
    try {
      lock.close();
    } catch (Exception e) {
      LOG.debug("store '{}': releasing the directory lock failed", storeName, e);
    }
  }

  static void closeQuietly(@Nullable AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Nothing more to do: the resource is being abandoned after another failure.
      }
    }
  }
}
