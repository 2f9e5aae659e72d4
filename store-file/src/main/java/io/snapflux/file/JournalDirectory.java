package io.snapflux.file;

import io.snapflux.file.JournalFormat.Entry;
import io.snapflux.file.JournalFormat.Header;
import io.snapflux.file.JournalFormat.Scan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The files of one store: {@code snapshot.dat}, {@code journal.log}, and {@code lock}, which is
 * held (an OS file lock) for as long as the store is open.
 *
 * <p>Both data files are only ever created by writing a temporary file, forcing it, renaming it
 * over the old one with an atomic move and forcing the directory; so each is either the old
 * complete file or the new complete file, and only the journal's tail can be torn by a crash.
 */
final class JournalDirectory implements AutoCloseable {

  private static final Logger LOG = Loggers.getLogger(JournalDirectory.class);

  static final String SNAPSHOT = "snapshot.dat";
  static final String JOURNAL = "journal.log";
  static final String LOCK = "lock";

  final Path dir;
  final Path snapshotFile;
  final Path journalFile;
  private final String storeName;
  private final FileChannel lockChannel;
  private final FileLock lock;

  /** What recovery found: the entry to restore (null for a new store) and its provenance. */
  record Recovered(@Nullable Entry entry, int schemaVersion, String source, List<String> warnings,
      boolean keepCorruptJournal) {}

  private JournalDirectory(Path dir, String storeName, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.snapshotFile = dir.resolve(SNAPSHOT);
    this.journalFile = dir.resolve(JOURNAL);
    this.storeName = storeName;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  static JournalDirectory open(Path dir, String storeName) {
    FileChannel ch = null;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        // A new store directory must survive a power loss too, or the store would come back
        // as a new, empty store: force its parent's entry.
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
          forceDirectory(parent);
        }
      }
      ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw new FileStoreException("store '" + storeName + "': directory " + dir
            + " is in use by another process");
      }
      return new JournalDirectory(dir, storeName, ch, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(ch);
      throw new FileStoreException("store '" + storeName + "': directory " + dir
          + " is already open by another FileStore in this JVM", e);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new FileStoreException("store '" + storeName + "': cannot open directory " + dir, e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  /**
   * Finds the newest valid version. Rules: a new store has neither file; the snapshot file must
   * be valid, unless the journal holds a valid record newer than the snapshot it follows (then
   * the journal's newest valid record wins and a warning says so); a journal header must be
   * valid; journal records are read up to the first invalid one, and a warning names the file,
   * the offset and the version kept.
   */
  Recovered recover() throws IOException {
    deleteTemporaryFiles();
    boolean hasSnapshot = Files.exists(snapshotFile);
    boolean hasJournal = Files.exists(journalFile);
    if (!hasSnapshot && !hasJournal) {
      return new Recovered(null, 0, "initial", List.of(), false);
    }
    List<String> warnings = new ArrayList<>();
    Entry snapshot = null;
    int snapshotSchema = 0;
    String snapshotProblem = null;
    if (hasSnapshot) {
      try (FileChannel ch = FileChannel.open(snapshotFile, StandardOpenOption.READ)) {
        Header h = JournalFormat.readHeader(ch, JournalFormat.SNAPSHOT_MAGIC, snapshotFile);
        snapshot = JournalFormat.readSnapshotRecord(ch, h, snapshotFile);
        snapshotSchema = h.schemaVersion();
      } catch (CorruptStoreException e) {
        snapshotProblem = e.getMessage();
      }
    } else {
      snapshotProblem = snapshotFile + " is missing";
    }
    Scan journal = null;
    if (hasJournal) {
      try (FileChannel ch = FileChannel.open(journalFile, StandardOpenOption.READ)) {
        Header h = JournalFormat.readHeader(ch, JournalFormat.JOURNAL_MAGIC, journalFile);
        journal = JournalFormat.scan(ch, h, journalFile);
      } catch (CorruptStoreException e) {
        throw new CorruptStoreException("store '" + storeName + "': " + e.getMessage()
            + "; the journal may hold acknowledged versions newer than " + snapshotFile
            + ", so the store does not open. To restart from the snapshot file alone, "
            + "move " + journalFile + " away");
      }
      if (journal.problem() != null) {
        long kept = journal.last() != null ? journal.last().version()
            : journal.header().baseVersion();
        String w = journalFile + ": " + journal.problem() + " at offset " + journal.validEnd()
            + " (" + (journal.size() - journal.validEnd()) + " bytes discarded); recovered "
            + "the last valid version, " + kept;
        LOG.warn("store '{}': {}", storeName, w);
        warnings.add(w);
      }
    }
    Entry fromJournal = journal == null ? null : journal.last();
    boolean keepCorruptJournal = journal != null && journal.problem() != null && !journal.torn();
    if (snapshotProblem != null) {
      // The journal follows the snapshot at its base version and every record holds a full
      // state; a compaction only ever snapshots a version already in the journal. So a valid
      // journal record newer than the base is at least as new as the damaged snapshot.
      if (fromJournal == null || fromJournal.version() <= journal.header().baseVersion()) {
        throw new CorruptStoreException("store '" + storeName + "': " + snapshotProblem
            + ", and " + (hasJournal ? journalFile + " holds no valid version newer than it"
                : "there is no journal")
            + "; refusing to start from an empty or older state. Restore " + snapshotFile
            + " from a backup, or delete the directory " + dir + " to start a new store");
      }
      String w = "store '" + storeName + "': " + snapshotProblem + "; recovered version "
          + fromJournal.version() + " from " + journalFile;
      LOG.warn(w);
      warnings.add(w);
      return new Recovered(fromJournal, journal.header().schemaVersion(), journalFile.toString(),
          warnings, keepCorruptJournal);
    }
    if (fromJournal != null && fromJournal.version() > snapshot.version()) {
      return new Recovered(fromJournal, journal.header().schemaVersion(), journalFile.toString(),
          warnings, keepCorruptJournal);
    }
    return new Recovered(snapshot, snapshotSchema, snapshotFile.toString(), warnings,
        keepCorruptJournal);
  }

  /** Moves a journal with a corrupt (not merely torn) record aside, for inspection. */
  void keepCorruptJournal() throws IOException {
    Path aside = dir.resolve(JOURNAL + ".corrupt-" + System.currentTimeMillis());
    Files.move(journalFile, aside, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory();
    LOG.warn("store '{}': kept the damaged journal as {}", storeName, aside);
  }

  /**
   * Makes {@code record} (an encoded snapshot record of version {@code version}) the snapshot
   * file and starts an empty journal following it; returns the new journal, open for appending.
   * A crash at any point leaves either the old files, or the new snapshot with the old journal
   * (whose records are then at most as new as the snapshot), or the new files.
   */
  FileChannel compact(ByteBuffer record, long version, int schemaVersion) throws IOException {
    writeAtomically(snapshotFile,
        JournalFormat.header(JournalFormat.SNAPSHOT_MAGIC, schemaVersion, version),
        record.duplicate());
    writeAtomically(journalFile,
        JournalFormat.header(JournalFormat.JOURNAL_MAGIC, schemaVersion, version), null);
    FileChannel ch = FileChannel.open(journalFile, StandardOpenOption.WRITE);
    ch.position(ch.size());
    return ch;
  }

  private void writeAtomically(Path target, ByteBuffer header, @Nullable ByteBuffer body)
      throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      JournalFormat.writeFully(ch, header);
      if (body != null) {
        JournalFormat.writeFully(ch, body);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  /** Makes renames durable: fsync of the directory (a no-op where the OS does not allow it). */
  private void forceDirectory() throws IOException {
    forceDirectory(dir);
  }

  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }

  private void deleteTemporaryFiles() throws IOException {
    Files.deleteIfExists(dir.resolve(SNAPSHOT + ".tmp"));
    Files.deleteIfExists(dir.resolve(JOURNAL + ".tmp"));
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      LOG.debug("store '{}': releasing the directory lock failed", storeName, e);
    }
    closeQuietly(lockChannel);
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
