package io.snapflux.file;

import io.snapflux.file.JournalDirectory.Recovered;
import io.snapflux.file.JournalFormat.Entry;
import io.snapflux.store.Delivery;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.snapflux.store.StoreStats;
import io.vavr.Tuple2;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link FileStore}: the in-memory store of snapflux-core plus a {@link GroupCommitJournal}.
 *
 * <pre>
 * Implementation notes.
 *
 * Every update goes to the in-memory store first; its successful CAS remains the linearization
 * point, so reads stay wait-free and the update loop lock-free. After it returns, the writer
 * signals the journal thread (an O(1) volatile read, an unpark only if the thread is idle) and,
 * with SYNC durability, waits until the journal reports a durable version at least as new as the
 * snapshot it is about to return. Methods that do not reveal the committed version (modify,
 * getAndUpdate, compareAndSet) wait for the store's version read after the commit, which is at
 * least theirs: at worst they wait for one more batch.
 *
 * Open. Recovery picks the newest valid version (JournalDirectory.recover), migrates its bytes to
 * the current schema version, decodes it, builds the in-memory store with the application's
 * options restoring that snapshot (state, version, timestamp, cause as persisted: a string), and
 * then always compacts: it writes the recovered state as the new snapshot file and starts an empty
 * journal. So after open the files hold exactly one schema version, a torn tail is gone, and a
 * journal with a corrupt record has been moved aside for inspection.
 *
 * Failure. The journal thread records the first failure and stops; it is never retried (a
 * write may have been partly applied, so only recovery on reopen knows what the file holds).
 * Every update method checks for it before committing, and a writer already waiting is failed by
 * the thread, so nothing is acknowledged after the failure except, with ASYNC, an update that
 * committed in memory concurrently with it (ASYNC acknowledges before the disk anyway).
 *
 * Close. The in-memory store is closed first (so the final version is fixed and later updates
 * fail), then the journal writes and fsyncs it, then the directory lock is released.
 *
 * Invariants (and the tests that check them):
 *  1. SYNC: a snapshot returned by an update method is durable. (FileStoreCrashTest)
 *  2. Reopening restores the state and the version of the last durable version.
 *     (FileStoreTest.reopen_*)
 *  3. Recovery never yields an empty or older store silently: it warns, or it fails.
 *     (FileStoreRecoveryTest)
 *  4. The restored store has the recovered timestamp and cause and the builder's options.
 *     (FileStoreTest.reopen_restoresTimestampAndCauseExactly,
 *     reopen_fromStoreBuilder_keepsItsValidatorsAndInterceptors)
 *  5. After a journal failure no update is acknowledged as durable.
 *     (FileStoreTest.journalFailure_*)
 * </pre>
 */
final class JournaledStore<S> implements FileStore<S> {

  private final Store<S> memory;
  private final GroupCommitJournal<S> journal;
  private final JournalDirectory files;
  private final Durability durability;
  private final RecoveryReport recovery;
  private final Scheduler completions;

  private JournaledStore(Store<S> memory, GroupCommitJournal<S> journal, JournalDirectory files,
      Durability durability, RecoveryReport recovery, Scheduler completions) {
    this.memory = memory;
    this.journal = journal;
    this.files = files;
    this.durability = durability;
    this.recovery = recovery;
    this.completions = completions;
  }

  static <S> FileStore<S> open(FileStoreBuilder<S> b) {
    String name = b.resolvedName();
    Path dir = java.util.Objects.requireNonNull(b.directory);
    JournalDirectory files = JournalDirectory.open(dir, name);
    try {
      Recovered r = files.recover();
      Snapshot<S> start;
      boolean migrated = false;
      Entry e = r.entry();
      if (e != null) {
        byte[] bytes = migrate(b, name, r, e);
        migrated = r.schemaVersion() != b.schemaVersion;
        S state;
        try {
          state = b.codec.decode(bytes);
        } catch (IOException | RuntimeException ex) {
          throw new FileStoreException("store '" + name + "': cannot decode the state of version "
              + e.version() + " read from " + r.source() + " (schema version "
              + r.schemaVersion() + ") with " + b.codec + ": " + ex.getMessage()
              + "; if the state type changed, raise schemaVersion and add a migration", ex);
        }
        start = Snapshot.of(e.version(), state, e.cause(), e.timestampMillis());
      } else {
        start = Snapshot.of(0, b.initial, null, System.currentTimeMillis());
      }
      // A copy of the application's options that starts exactly at the recovered snapshot.
      StoreBuilder<S> sb = b.options.restoring(start);
      b.storeOptions.accept(sb);
      sb.name(name).initialVersion(start.version());
      Store<S> memory;
      try {
        memory = sb.build();
      } catch (StateValidationException ex) {
        if (e == null) {
          throw ex;
        }
        throw new FileStoreException("store '" + name + "': the state of version "
            + start.version() + " read from " + r.source() + " fails a validator: "
            + ex.getMessage() + "; the files are unchanged", ex);
      }
      long version = start.version();
      byte[] encoded;
      try {
        encoded = b.codec.encode(start.state());
      } catch (IOException ex) {
        memory.close();
        throw new FileStoreException("store '" + name + "': cannot encode the restored state with "
            + b.codec, ex);
      }
      if (r.keepCorruptJournal()) {
        files.keepCorruptJournal();
      }
      FileChannel channel = files.compact(JournalFormat.record(version, start.timestampMillis(),
          start.cause(), encoded), version, b.schemaVersion);
      GroupCommitJournal<S> journal = new GroupCommitJournal<>(name, memory, b.codec, files,
          channel, version, b.schemaVersion, b.durability == Durability.ASYNC,
          b.flushInterval.toNanos(), b.compactionThreshold, 1);
      RecoveryReport report = new RecoveryReport(version, e == null, r.source(),
          e == null ? b.schemaVersion : r.schemaVersion(), migrated, r.warnings());
      journal.start();
      return new JournaledStore<>(memory, journal, files, b.durability, report,
          Schedulers.parallel());
    } catch (IOException e) {
      files.close();
      throw new FileStoreException("store '" + name + "': cannot open its files in " + dir, e);
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
  }

  private static <S> byte[] migrate(FileStoreBuilder<S> b, String name, Recovered r, Entry e) {
    int from = r.schemaVersion();
    if (from > b.schemaVersion) {
      throw new FileStoreException("store '" + name + "': " + r.source() + " was written with "
          + "schema version " + from + ", newer than this application's " + b.schemaVersion
          + "; downgrades are not supported");
    }
    byte[] bytes = e.state();
    List<Integer> missing = new ArrayList<>();
    for (int v = from; v < b.schemaVersion; v++) {
      if (!b.migrations.containsKey(v)) {
        missing.add(v);
      }
    }
    if (!missing.isEmpty()) {
      throw new FileStoreException("store '" + name + "': " + r.source() + " holds schema version "
          + from + " but the application reads " + b.schemaVersion + "; no migration registered "
          + "from schema version(s) " + missing);
    }
    for (int v = from; v < b.schemaVersion; v++) {
      try {
        bytes = b.migrations.get(v).apply(bytes);
      } catch (RuntimeException ex) {
        throw new FileStoreException("store '" + name + "': migration from schema version " + v
            + " failed on version " + e.version() + " read from " + r.source(), ex);
      }
    }
    return bytes;
  }

  // --- reads and subscriptions: the in-memory store's -----------------------------------------

  @Override
  public String name() {
    return memory.name();
  }

  @Override
  public Snapshot<S> snapshot() {
    return memory.snapshot();
  }

  @Override
  public Flux<Snapshot<S>> changes(Delivery delivery) {
    return memory.changes(delivery);
  }

  @Override
  public Flux<Snapshot<S>> durableChanges() {
    return memory.changes().concatMap(s -> awaitDurable(s.version()).thenReturn(s));
  }

  @Override
  public StoreStats stats() {
    return memory.stats();
  }

  @Override
  public boolean isClosed() {
    return memory.isClosed();
  }

  // --- updates ---------------------------------------------------------------------------------

  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    checkCanWait();
    Snapshot<S> s = memory.update(cause, fn);
    acknowledge(s.version());
    return s;
  }

  @Override
  public S getAndUpdate(UnaryOperator<S> fn) {
    checkCanWait();
    S previous = memory.getAndUpdate(fn);
    acknowledge(memory.snapshot().version());
    return previous;
  }

  @Override
  public <R> R modify(Function<? super S, ? extends Tuple2<? extends S, ? extends R>> fn) {
    checkCanWait();
    R result = memory.modify(fn);
    acknowledge(memory.snapshot().version());
    return result;
  }

  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    checkCanWait();
    boolean set = memory.compareAndSet(expectedVersion, newState);
    if (set) {
      // Committed expectedVersion + 1, or nothing if the state was already newState.
      acknowledge(Math.min(expectedVersion + 1, memory.snapshot().version()));
    }
    return set;
  }

  @Override
  public Outcome<S> updateIfVersion(long expectedVersion, @Nullable Object cause,
      UnaryOperator<S> fn) {
    checkCanWait();
    Outcome<S> outcome = memory.updateIfVersion(expectedVersion, cause, fn);
    acknowledge(outcome.snapshot().version());
    return outcome;
  }

  @Override
  public Snapshot<S> undo() {
    checkCanWait();
    Snapshot<S> s = memory.undo();
    acknowledge(s.version());
    return s;
  }

  @Override
  public Snapshot<S> redo() {
    checkCanWait();
    Snapshot<S> s = memory.redo();
    acknowledge(s.version());
    return s;
  }

  @Override
  public Outcome<S> undoIfVersion(long expectedVersion) {
    checkCanWait();
    Outcome<S> outcome = memory.undoIfVersion(expectedVersion);
    acknowledge(outcome.snapshot().version());
    return outcome;
  }

  @Override
  public Outcome<S> redoIfVersion(long expectedVersion) {
    checkCanWait();
    Outcome<S> outcome = memory.redoIfVersion(expectedVersion);
    acknowledge(outcome.snapshot().version());
    return outcome;
  }

  @Override
  public boolean canUndo() {
    return memory.canUndo();
  }

  @Override
  public boolean canRedo() {
    return memory.canRedo();
  }

  /** History is the in-memory store's: after a restart it starts at the restored version. */
  @Override
  public io.vavr.collection.List<Snapshot<S>> history() {
    return memory.history();
  }

  @Override
  public java.util.Optional<Snapshot<S>> at(long version) {
    return memory.at(version);
  }

  @Override
  public Mono<Snapshot<S>> updateDurably(@Nullable Object cause, UnaryOperator<S> fn) {
    return Mono.fromCallable(() -> {
      checkJournal();
      Snapshot<S> s = memory.update(cause, fn);
      journal.signal();
      return s;
    }).flatMap(s -> awaitDurable(s.version()).thenReturn(s));
  }

  @Override
  public Mono<Long> awaitDurable(long version) {
    return Mono.defer(() -> {
      CompletableFuture<Long> f = journal.whenDurable(version);
      return f.isDone() ? Mono.fromFuture(f) : Mono.fromFuture(f).publishOn(completions);
    });
  }

  /** SYNC writers block; refuse where blocking is forbidden, before committing anything. */
  private void checkCanWait() {
    checkJournal();
    if (durability == Durability.SYNC && Schedulers.isInNonBlockingThread()) {
      throw new IllegalStateException("store '" + name() + "' has SYNC durability: update "
          + "methods block until the version is on disk, which is not supported in thread "
          + Thread.currentThread().getName() + "; use updateDurably(...) from reactive code");
    }
  }

  private void checkJournal() {
    Throwable t = journal.failure();
    if (t != null) {
      throw journal.failed(t);
    }
  }

  private void acknowledge(long version) {
    journal.signal();
    if (durability == Durability.ASYNC || journal.durableVersion() >= version) {
      return;
    }
    try {
      journal.whenDurable(version).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FileStoreException("store '" + name() + "': interrupted while waiting for "
          + "version " + version + " to reach the disk; it is committed in memory and will "
          + "still be written", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof FileStoreException fse ? fse : journal.failed(c);
    }
  }

  // --- file store ------------------------------------------------------------------------------

  @Override
  public Path directory() {
    return files.dir;
  }

  @Override
  public Durability durability() {
    return durability;
  }

  @Override
  public long durableVersion() {
    return journal.durableVersion();
  }

  @Override
  public JournalStats journalStats() {
    return journal.stats();
  }

  @Override
  public RecoveryReport recovery() {
    return recovery;
  }

  @Override
  public Optional<FileStoreException> journalFailure() {
    Throwable t = journal.failure();
    return t == null ? Optional.empty() : Optional.of(journal.failed(t));
  }

  @Override
  public void close() {
    if (memory.isClosed()) {
      return;
    }
    memory.close();
    try {
      journal.close();
    } finally {
      files.close();
    }
  }

  /**
   * Closes the journal's file channel under the journal thread, so that its next write fails
   * with a {@link java.nio.channels.ClosedChannelException}, as a broken device would; for tests.
   */
  void breakJournal() {
    journal.breakChannel();
  }

  /** Stops journaling without writing pending versions, as a crash would; for tests. */
  void crash() {
    journal.halt();
    memory.close();
    files.close();
  }

  @Override
  public String toString() {
    return "FileStore{" + name() + ", " + files.dir + ", " + durability + ", version "
        + memory.snapshot().version() + ", durable " + journal.durableVersion() + "}";
  }
}
