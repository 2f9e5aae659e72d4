package io.snapflux.file;

import io.snapflux.file.JournalDirectory.Compacted;
import io.snapflux.file.JournalDirectory.Recovered;
import io.snapflux.file.JournalFormat.Entry;
import io.snapflux.store.AsyncHistory;
import io.snapflux.store.AsyncWrites;
import io.snapflux.store.Backend;
import io.snapflux.store.CommitPipeline;
import io.snapflux.store.Delivery;
import io.snapflux.store.History;
import io.snapflux.store.Outcome;
import io.snapflux.store.Replica;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.StoreOptions;
import io.snapflux.store.StoreStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link FileStore}: a pending in-memory store that writers compare-and-set on, a {@link
 * GroupCommitJournal}, and (SYNC) a replica that readers see.
 *
 * <pre>
 * Implementation notes.
 *
 * The definition this class keeps (docs/file-backend.md, "Durability"): a version visible to
 * any reader (snapshot(), a subscriber, an ETag derived from snapshot()) is never later replaced
 * by another state under the same version, within one epoch.
 *
 * SYNC: visible means durable. Writers run the in-memory store's update loop on the pending
 * store (its successful CAS is still the linearization point among writers; updates stay
 * lock-free), then wait. Readers and subscribers use a Replica that the journal thread advances
 * after the fsync covering a version, in version order, every version (the journal is fed by a
 * lossless subscription; see GroupCommitJournal). So a version whose write fails is never seen
 * and its update fails; the store stays at its last durable version, and the pending versions
 * are abandoned with the store (no update is accepted after a journal failure). A reopen after
 * any crash restores at least every version anyone saw, so the epoch is kept. The cost: a
 * version becomes visible one fsync after its commit (writers wait for that anyway), and a
 * conditional update (compareAndSet, updateIfVersion) racing an unpublished commit sees a
 * conflict; a conflict's snapshot is made visible before it is returned.
 *
 * ASYNC: acknowledgement precedes durability by definition, so readers see the pending store
 * directly (readers seeing only durable versions would make an update's own result invisible to
 * the next read for up to a flush interval). A crash can lose acknowledged, visible versions;
 * the next open detects that (no close marker in a journal written by an ASYNC store) and
 * chooses a new epoch, so the loss is visible to anyone who keeps (epoch, version) pairs, as the
 * protocol's version tokens will. Why not SYNC's scheme with a durable-head epoch for ASYNC too:
 * every ASYNC update would become invisible to its own writer for up to one flush interval.
 *
 * Open. Recovery picks the newest valid version and the epoch (JournalDirectory.recover),
 * migrates its bytes to the current schema version, decodes it, builds the pending store with
 * the application's options restoring that snapshot (state, version, timestamp, cause as
 * persisted: a string), keeps a damaged journal under a second name, and then always compacts:
 * it writes the recovered state as the new snapshot file and starts an empty journal. The
 * damaged journal keeps its second name whatever happens next, so it is never lost before the
 * new snapshot is durable.
 *
 * Interceptors. Validators and beforeCommit run on the pending store's commit attempt (a
 * rejected state is never journaled). afterCommit is the acknowledgement's: with ASYNC it runs
 * at the in-memory commit (which is the acknowledgement); with SYNC the pending store is built
 * with CommitRules.withoutAfterCommit() and the journal thread runs afterCommit through the
 * store's CommitPipeline when it publishes a version (after the fsync, once per version, in
 * version order, before the waiting writer returns), so an interceptor never sees a version
 * whose write then fails (FileStoreFaultTest.sync_journalWriteFails_afterCommitNeverSeesTheFailedVersion).
 * Keep afterCommit quick: it delays the next fsync.
 *
 * Close. The pending store is closed first (so the final version is fixed and later updates
 * fail), then the journal writes and fsyncs it and the close marker and publishes it, then the
 * replica closes (subscribers receive the final version and complete), then the lock is
 * released.
 *
 * Invariants (and the tests that check them):
 *  1. SYNC: a snapshot returned by an update method is durable. (FileStoreCrashTest,
 *     FileStorePowerLossTest)
 *  2. SYNC: readers see only durable versions; a failed write is never visible and its number
 *     is not reused for another state. (FileStoreFaultTest.sync_journalWriteFails_*)
 *  3. ASYNC: a reopen that may have lost an acknowledged version has a new epoch; a clean close
 *     keeps it. (FileStoreFaultTest.async_*Epoch*, FileStorePowerLossTest)
 *  4. Reopening restores the state and the version of the last durable version.
 *     (FileStoreTest.reopen_*)
 *  5. Recovery never yields an empty or older store silently: it warns, or it fails.
 *     (FileStoreRecoveryTest, FileStoreFaultTest)
 *  6. The restored store has the recovered timestamp and cause and the builder's options.
 *     (FileStoreTest.reopen_restoresTimestampAndCauseExactly,
 *     reopen_fromStoreBuilder_keepsItsValidatorsAndInterceptors)
 *  7. After a journal failure no update is acknowledged as durable.
 *     (FileStoreTest.journalFailure_*)
 *  8. While the journal is stalled, no update commits. (FileStoreFaultTest.*_fsyncStalls_*)
 * </pre>
 */
final class JournaledStore<S> implements FileStore<S> {

  /** The lag bound of the SYNC feed; delivered inline, it lags by the writers in flight. */
  private static final int FEED_MAX_LAG = 1 << 16;

  private final Store<S> pending;
  /** SYNC: what readers see; null with ASYNC, whose readers see {@link #pending}. */
  private final @Nullable Replica<S> visible;
  private final GroupCommitJournal<S> journal;
  private final JournalDirectory files;
  private final Durability durability;
  private final RecoveryReport recovery;
  private final Scheduler completions;
  private final Duration stallTimeout;
  /** The history capability: null if the pending store keeps none. */
  private final @Nullable History<S> history;
  private final AsyncWrites<S> async = new FileAsyncWrites();

  private JournaledStore(Store<S> pending, @Nullable Replica<S> visible,
      GroupCommitJournal<S> journal, JournalDirectory files, Durability durability,
      RecoveryReport recovery, Scheduler completions, Duration stallTimeout) {
    this.pending = pending;
    this.visible = visible;
    this.journal = journal;
    this.files = files;
    this.durability = durability;
    this.recovery = recovery;
    this.completions = completions;
    this.stallTimeout = stallTimeout;
    this.history = pending.history().map(FileHistory::new).orElse(null);
  }

  static <S> FileStore<S> open(FileStoreBuilder<S> b, StoreOptions<S> options) {
    String name = b.resolvedName(options);
    Path dir = java.util.Objects.requireNonNull(b.directory);
    JournalDirectory files = JournalDirectory.open(dir, name, b.storage);
    try {
      Recovered r = files.recover(b.restartFromSnapshot);
      // The journal's epoch is the store's: kept across restarts, new when a crash may have lost
      // acknowledged versions (JournalDirectory.recover). One String shared by every snapshot.
      String epoch = Long.toHexString(r.epoch());
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
          throw new FileStoreException(name, "store '" + name + "': cannot decode the state of version "
              + e.version() + " read from " + r.source() + " (schema version "
              + r.schemaVersion() + ") with " + b.codec + ": " + ex.getMessage()
              + "; if the state type changed, raise schemaVersion and add a migration", ex);
        }
        start = Snapshot.of(e.version(), state, e.cause(), e.timestampMillis(), epoch);
      } else {
        start = Snapshot.of(options.initialVersion(), options.initial(), options.initialCause(),
            options.clock().millis(), epoch);
      }
      boolean sync = b.durability == Durability.SYNC;
      // The application's options, starting exactly at the recovered snapshot.
      StoreOptions<S> po = options.withName(name).startingAt(start);
      Scheduler deliveries = po.deliveryScheduler();
      // SYNC: afterCommit runs when a version is durable and visible (on the journal thread,
      // once per version, in version order), never at the pending commit: see the notes.
      CommitPipeline<S> afterDurable = sync ? new CommitPipeline<>(po) : null;
      if (sync) {
        // Nobody but the journal's feed subscribes to the pending store: deliver to it inline.
        po = po.withDelivery(Schedulers.immediate(), 1).withRules(po.rules().withoutAfterCommit());
      }
      Store<S> pending;
      try {
        pending = Backend.memory().create(po);
      } catch (StateValidationException ex) {
        if (e == null) {
          throw ex;
        }
        throw new FileStoreException(name, "store '" + name + "': the state of version "
            + start.version() + " read from " + r.source() + " fails a validator: "
            + ex.getMessage() + "; the files are unchanged", ex);
      }
      long version = start.version();
      byte[] encoded;
      try {
        encoded = b.codec.encode(start.state());
      } catch (IOException ex) {
        pending.close();
        throw new FileStoreException(name, "store '" + name + "': cannot encode the restored state with "
            + b.codec, ex);
      }
      if (r.keepCorruptJournal()) {
        files.keepCorruptJournal();
      }
      Compacted compacted = files.compact(new Entry(version, start.timestampMillis(),
          start.cause() == null ? null : String.valueOf(start.cause()), encoded, 0), r.epoch(),
          b.schemaVersion, !sync, e == null);
      Replica<S> visible = sync ? Replica.of(name, start, deliveries) : null;
      GroupCommitJournal<S> journal = new GroupCommitJournal<>(name, pending, visible, b.codec,
          files, compacted, version, r.epoch(), b.schemaVersion, b, afterDurable);
      if (sync) {
        pending.changes(Delivery.lossless(FEED_MAX_LAG).resyncOnOverflow())
            .subscribe(journal::feed, journal::feedFailed, journal::feedDone);
      }
      RecoveryReport report = new RecoveryReport(version, e == null, r.source(),
          e == null ? b.schemaVersion : r.schemaVersion(), migrated, r.warnings(), r.epoch(),
          r.newEpoch());
      journal.start();
      return new JournaledStore<>(pending, visible, journal, files, b.durability, report,
          Schedulers.parallel(), b.resolvedStallTimeout());
    } catch (IOException e) {
      files.close();
      throw new FileStoreException(name, "store '" + name + "': cannot open its files in " + dir, e);
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
  }

  private static <S> byte[] migrate(FileStoreBuilder<S> b, String name, Recovered r, Entry e) {
    int from = r.schemaVersion();
    if (from > b.schemaVersion) {
      throw new FileStoreException(name, "store '" + name + "': " + r.source() + " was written with "
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
      throw new FileStoreException(name, "store '" + name + "': " + r.source() + " holds schema version "
          + from + " but the application reads " + b.schemaVersion + "; no migration registered "
          + "from schema version(s) " + missing);
    }
    for (int v = from; v < b.schemaVersion; v++) {
      try {
        bytes = b.migrations.get(v).apply(bytes);
      } catch (RuntimeException ex) {
        throw new FileStoreException(name, "store '" + name + "': migration from schema version " + v
            + " failed on version " + e.version() + " read from " + r.source(), ex);
      }
    }
    return bytes;
  }

  // --- reads and subscriptions: the visible store's -------------------------------------------

  @Override
  public String name() {
    return pending.name();
  }

  @Override
  public Snapshot<S> snapshot() {
    return visible != null ? visible.snapshot() : pending.snapshot();
  }

  @Override
  public Flux<Snapshot<S>> changes(Delivery delivery) {
    return visible != null ? visible.changes(delivery) : pending.changes(delivery);
  }

  @Override
  public Flux<Snapshot<S>> durableChanges() {
    if (visible != null) {
      return visible.changes(Delivery.conflated()); // everything visible is durable
    }
    return pending.changes().concatMap(s -> awaitDurable(s.version()).thenReturn(s));
  }

  @Override
  public StoreStats stats() {
    StoreStats p = pending.stats();
    if (visible == null) {
      return p;
    }
    StoreStats v = visible.stats();
    return new StoreStats(v.version(), p.casRetries(), p.versionConflicts(),
        p.validationRejections(), v.subscribers(), v.losslessSubscribers(), v.maxLosslessLag(),
        v.lagOverflows());
  }

  @Override
  public boolean isClosed() {
    return pending.isClosed();
  }

  // --- updates: on the pending store, acknowledged as the durability says ---------------------

  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    checkCanWait();
    Snapshot<S> s = pending.update(cause, fn);
    acknowledge(s.version());
    return s;
  }

  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    checkCanWait();
    boolean set = pending.compareAndSet(expectedVersion, newState);
    if (set) {
      // Committed expectedVersion + 1, or nothing if the state was already newState.
      acknowledge(Math.min(expectedVersion + 1, pending.snapshot().version()));
    }
    return set;
  }

  @Override
  public Outcome<S> updateIfVersion(long expectedVersion, @Nullable Object cause,
      UnaryOperator<S> fn) {
    checkCanWait();
    // A conflict's snapshot may be pending: waiting for it makes it visible before it is shown.
    return acknowledged(pending.updateIfVersion(expectedVersion, cause, fn));
  }

  private Outcome<S> acknowledged(Outcome<S> outcome) {
    acknowledge(outcome.snapshot().version());
    return outcome;
  }

  @Override
  public Optional<History<S>> history() {
    return Optional.ofNullable(history);
  }

  @Override
  public AsyncWrites<S> async() {
    return async;
  }

  /**
   * History is the pending store's, up to the visible version: after a restart it starts at the
   * restored version. Undo and redo are acknowledged as updates are.
   */
  private final class FileHistory implements History<S> {

    private final History<S> p;
    private final AsyncHistory<S> async = new AsyncHistory<>() {
      @Override
      public Mono<Outcome<S>> undoIfVersion(long expectedVersion, @Nullable Object by) {
        return durably(() -> p.undoIfVersion(expectedVersion, by));
      }

      @Override
      public Mono<Outcome<S>> redoIfVersion(long expectedVersion, @Nullable Object by) {
        return durably(() -> p.redoIfVersion(expectedVersion, by));
      }
    };

    FileHistory(History<S> pendingHistory) {
      this.p = pendingHistory;
    }

    @Override
    public io.vavr.collection.List<Snapshot<S>> versions() {
      if (visible == null) {
        return p.versions();
      }
      Snapshot<S> v = visible.snapshot();
      io.vavr.collection.List<Snapshot<S>> h = p.versions().filter(s -> s.version() <= v.version());
      return h.isEmpty() || h.last().version() != v.version() ? h.append(v) : h;
    }

    @Override
    public Optional<Snapshot<S>> at(long version) {
      if (visible == null) {
        return p.at(version);
      }
      Snapshot<S> v = visible.snapshot();
      if (version == v.version()) {
        return Optional.of(v);
      }
      return version > v.version() ? Optional.empty() : p.at(version);
    }

    @Override
    public Snapshot<S> undo(@Nullable Object by) {
      checkCanWait();
      Snapshot<S> s = p.undo(by);
      acknowledge(s.version());
      return s;
    }

    @Override
    public Snapshot<S> redo(@Nullable Object by) {
      checkCanWait();
      Snapshot<S> s = p.redo(by);
      acknowledge(s.version());
      return s;
    }

    @Override
    public Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by) {
      checkCanWait();
      return acknowledged(p.undoIfVersion(expectedVersion, by));
    }

    @Override
    public Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by) {
      checkCanWait();
      return acknowledged(p.redoIfVersion(expectedVersion, by));
    }

    @Override
    public boolean canUndo() {
      return p.canUndo();
    }

    @Override
    public boolean canRedo() {
      return p.canRedo();
    }

    @Override
    public AsyncHistory<S> async() {
      return async;
    }
  }

  /**
   * The non-blocking writes: the in-memory commit on the subscribing thread (lock-free, never
   * parks), then, with SYNC, completion when the journal has made the version durable (and
   * visible), on a parallel worker; with ASYNC at once. The caller's thread never waits for the
   * disk.
   */
  private final class FileAsyncWrites implements AsyncWrites<S> {

    @Override
    public Mono<Snapshot<S>> update(@Nullable Object cause, UnaryOperator<S> fn) {
      java.util.Objects.requireNonNull(fn, "fn");
      return Mono.defer(() -> {
        checkWritable();
        Snapshot<S> s = pending.update(cause, fn);
        return whenAcknowledged(s.version()).thenReturn(s);
      });
    }

    @Override
    public Mono<Outcome<S>> updateIfVersion(long expectedVersion, @Nullable Object cause,
        UnaryOperator<S> fn) {
      java.util.Objects.requireNonNull(fn, "fn");
      CommitPipeline.requireVersion(expectedVersion);
      return durably(() -> pending.updateIfVersion(expectedVersion, cause, fn));
    }

    @Override
    public Mono<Boolean> compareAndSet(long expectedVersion, S newState) {
      java.util.Objects.requireNonNull(newState, "newState");
      CommitPipeline.requireVersion(expectedVersion);
      return Mono.defer(() -> {
        checkWritable();
        boolean set = pending.compareAndSet(expectedVersion, newState);
        if (!set) {
          return Mono.just(false);
        }
        return whenAcknowledged(Math.min(expectedVersion + 1, pending.snapshot().version()))
            .thenReturn(true);
      });
    }
  }

  /** A conditional write on the pending store, completing when its outcome's version is visible. */
  private Mono<Outcome<S>> durably(java.util.function.Supplier<Outcome<S>> write) {
    return Mono.defer(() -> {
      checkWritable();
      Outcome<S> o = write.get();
      return whenAcknowledged(o.snapshot().version()).thenReturn(o);
    });
  }

  /** Completes when {@code version} is acknowledged: ASYNC at once, SYNC once durable. */
  private Mono<Long> whenAcknowledged(long version) {
    journal.signal();
    if (durability == Durability.ASYNC || snapshot().version() >= version) {
      return Mono.just(version);
    }
    return awaitDurable(version);
  }

  /** Completes when {@code version} is durable (and, with SYNC, visible), never on the caller. */
  Mono<Long> awaitDurable(long version) {
    return Mono.defer(() -> {
      CompletableFuture<Long> f = journal.whenDurable(version);
      return f.isDone() ? Mono.fromFuture(f) : Mono.fromFuture(f).publishOn(completions);
    });
  }

  /** SYNC writers block; refuse where blocking is forbidden, before committing anything. */
  private void checkCanWait() {
    checkWritable();
    if (durability == Durability.SYNC && Schedulers.isInNonBlockingThread()) {
      throw new IllegalStateException("store '" + name() + "' has SYNC durability: update "
          + "methods block until the version is on disk, which is not supported in thread "
          + Thread.currentThread().getName() + "; use store.async() from reactive code");
    }
  }

  /** Refuses, before committing, while the journal has failed or is stalled. */
  private void checkWritable() {
    Throwable t = journal.failure();
    if (t != null) {
      throw journal.failed(t);
    }
    if (journal.stalled()) {
      throw new FileStoreException(name(), "store '" + name() + "': the journal in " + files.dir
          + " is stalled: a version committed " + journal.pendingNanos() / 1_000_000
          + " ms ago is not on disk yet (stallTimeout " + stallTimeout.toMillis() + " ms); "
          + "the store refuses updates until the disk catches up. Nothing was committed");
    }
  }

  private void acknowledge(long version) {
    journal.signal();
    if (durability == Durability.ASYNC || snapshot().version() >= version) {
      return; // SYNC: visible implies durable
    }
    try {
      journal.whenDurable(version).get(stallTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FileStoreException(name(), notYetVisible(version, "interrupted while waiting for it"),
          e);
    } catch (TimeoutException e) {
      throw new FileStoreException(name(), notYetVisible(version, "the disk did not make it durable "
          + "within stallTimeout (" + stallTimeout.toMillis() + " ms)"), e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof FileStoreException fse ? fse : journal.failed(c);
    }
  }

  private String notYetVisible(long version, String why) {
    return "store '" + name() + "': version " + version + " is committed in memory but not "
        + "acknowledged: " + why + ". It is not visible; it becomes visible (and durable) if "
        + "the disk catches up, and is lost if the process stops first";
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
  public long epoch() {
    return recovery.epoch();
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
    if (pending.isClosed()) {
      return;
    }
    pending.close();
    try {
      journal.close();
    } finally {
      if (visible != null) {
        visible.close();
      }
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

  /** Wakes the journal thread to re-read its clock; for tests with a manual clock. */
  void wakeJournal() {
    journal.wake();
  }

  /** Stops journaling without writing pending versions, as a crash would; for tests. */
  void crash() {
    journal.halt();
    pending.close();
    if (visible != null) {
      visible.close();
    }
    files.close();
  }

  @Override
  public String toString() {
    return "FileStore{" + name() + ", " + files.dir + ", " + durability + ", version "
        + snapshot().version() + ", durable " + journal.durableVersion() + ", epoch "
        + Long.toHexString(epoch()) + "}";
  }
}
