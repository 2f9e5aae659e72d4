package io.snapflux.file;

import io.snapflux.file.JournalDirectory.Compacted;
import io.snapflux.file.JournalFormat.Entry;
import io.snapflux.store.CommitPipeline;
import io.snapflux.store.Replica;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreClosedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The journal thread of one file store: it writes the newest committed version to the journal,
 * forces it to disk, publishes it (SYNC), and completes whoever waits for it.
 *
 * <pre>
 * Implementation notes.
 *
 * Feeding. Writers commit on the pending in-memory store. Every record holds a full state, so
 * the newest version subsumes all older ones: writing it makes every version up to it durable.
 * This is group commit by construction: while one write + fsync runs, any number of writers
 * commit, and the next round writes one record and does one fsync for all of them. The journal
 * therefore skips versions under load (recovery allows gaps), and its volume is bounded by the
 * fsync rate, not the commit rate. ASYNC reads the pending store's head. SYNC must also publish
 * every version in order (lossless subscribers see each one), so it is fed by a lossless
 * subscription on the pending store, delivered inline on the committing thread
 * (Schedulers.immediate(): the subscriber only enqueues and signals, O(1)); newestFed is the
 * newest version enqueued, and every version up to it is in the queue.
 *
 * Publication (SYNC). After the fsync covering version v, this thread sets durable = v, then
 * advances the visible replica with every fed version up to v, in order, then sets published =
 * v and completes the waiters. So a reader (snapshot(), a subscriber, an ETag) only ever sees
 * durable versions (durable is written before the replica's head, so whoever reads the head
 * and then durable finds durable at least as new), and a writer's update returns only once its
 * version is visible. A write or fsync that fails publishes nothing. With ASYNC, published =
 * durable.
 *
 * Waking. Writers call signal() after a commit; it unparks the thread only if it announced it is
 * idle. The thread sets idle, re-reads the newest version, and parks only if nothing is new.
 * Writer: commit (volatile write), then read idle. Thread: write idle, then read the newest
 * version. Both are volatile, so at least one side sees the other: no lost wake-up.
 *
 * ASYNC schedule. A flush starts at most once per flushInterval, counted from the start of the
 * previous flush, and reads the newest version when it starts. A version committed at t is
 * therefore covered by a flush starting by t + flushInterval (or by the end of the flush
 * running at t, if that flush takes longer), and durable one write + fsync later.
 *
 * Stalls. pendingSince is the time of the oldest commit not yet durable (0: none), or earlier:
 * a writer sets it with a CAS from 0 after its commit; after a flush this thread sets it to 0,
 * re-reads the newest version and, if something is still pending, CASes it to the flush's start
 * time (every version the flush missed was committed after it started). Dekker again: writer
 * commit-then-read pendingSince, thread write-pendingSince-then-read head, so a pending version
 * is never left unaccounted. Update methods refuse to commit while the oldest pending version is
 * older than stallTimeout (JournaledStore.checkNotStalled).
 *
 * Waiting. published is written only by this thread, after the fsync and the publication.
 * Waiters sit in a lock-free queue, so registering never blocks (a Reactor thread may register
 * one through awaitDurable). A waiter is offered first and then re-reads published; the thread
 * writes published first and then scans the queue. Both sides are volatile accesses, so either
 * the scan finds the waiter or the waiter sees the new value and completes itself; a future
 * completed twice keeps its first value.
 *
 * Failure. The first failure stops the thread for good. It then tries to cut the journal back
 * to the end of the last durable record and force that; if it can, nothing after the durable
 * version is in the file, and the failure says so; if it cannot, the failure says that the
 * versions after it may or may not come back on reopen.
 *
 * Invariants (and the tests that check them):
 *  1. durable <= committed version, and a version is durable only after the fsync covering it.
 *     (FileStorePowerLossTest, FileStoreCrashTest.sigkill_syncStore_keepsEveryAcknowledgedVersion)
 *  2. SYNC: a version is visible only after it is durable; a failed write publishes nothing.
 *     (FileStoreTest.sync_concurrentWritersAndReaders_readersSeeOnlyDurableVersions,
 *     FileStoreFaultTest.sync_journalWriteFails_versionNeverVisibleAndNeverReused)
 *  3. Records in one journal have strictly increasing versions.
 *     (FileStoreRecoveryTest)
 *  4. Concurrent sync writers share fsyncs. (FileStoreTest.groupCommit_concurrentWriters_shareFsyncs)
 *  5. ASYNC: a flush starts within flushInterval of any commit, so a version is durable within
 *     flushInterval plus one write and fsync of its commit while fsyncs take at most
 *     flushInterval. (FileStoreFaultTest.async_slowFsync_nextFlushCountsFromTheStartOfTheLast)
 *  6. Nothing is acknowledged while the oldest pending version is older than stallTimeout.
 *     (FileStoreFaultTest.*_fsyncStalls_*)
 * </pre>
 */
final class GroupCommitJournal<S> implements Runnable {

  private static final Logger LOG = Loggers.getLogger(GroupCommitJournal.class);

  private record Waiter(long version, CompletableFuture<Long> future) {}

  private final String storeName;
  private final Store<S> pending;
  /** SYNC: what readers see, advanced after each fsync; null with ASYNC. */
  private final @Nullable Replica<S> visible;
  /** SYNC: runs afterCommit for each published version; null with ASYNC. */
  private final @Nullable CommitPipeline<S> afterDurable;
  private final StateCodec<S> codec;
  private final JournalDirectory files;
  private final int schemaVersion;
  private final long epoch;
  private final boolean async;
  private final long flushIntervalNanos;
  private final long stallTimeoutNanos;
  private final long compactionThreshold;
  private final LongSupplier nanoTime;
  private final Thread thread;

  // Owned by the journal thread (after start()).
  private FileChannel channel;
  private long salt;
  /** Where the next record goes: the end of the last durable record. */
  private long end;
  private long written;

  // SYNC feed: fed and newestFed are written by the (serialized) feed subscriber only.
  private final Queue<Snapshot<S>> fed = new ConcurrentLinkedQueue<>();
  private volatile @Nullable Snapshot<S> newestFed;
  private volatile boolean feedDone;
  private volatile @Nullable Throwable feedFailure;

  private volatile long durable;
  /** Versions up to this one are durable and visible: what waiters wait for. */
  private volatile long published;
  private volatile boolean idle;
  private volatile boolean closing;
  private volatile boolean halted;
  private volatile @Nullable Throwable failure;
  private volatile boolean cutBack;

  private volatile long pendingSince;
  private static final VarHandle PENDING_SINCE;

  private volatile long records;
  private volatile long fsyncs;
  private volatile long compactions;
  private volatile long journalBytes;

  static {
    try {
      PENDING_SINCE = MethodHandles.lookup()
          .findVarHandle(GroupCommitJournal.class, "pendingSince", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Writers waiting for a version to become durable; at most one per waiting call. */
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  GroupCommitJournal(String storeName, Store<S> pending, @Nullable Replica<S> visible,
      StateCodec<S> codec, JournalDirectory files, Compacted journal, long durableVersion,
      long epoch, int schemaVersion, FileStoreBuilder<S> options,
      @Nullable CommitPipeline<S> afterDurable) {
    this.storeName = storeName;
    this.afterDurable = afterDurable;
    this.pending = pending;
    this.visible = visible;
    this.codec = codec;
    this.files = files;
    this.channel = journal.channel();
    this.salt = journal.salt();
    this.end = journal.size();
    this.written = durableVersion;
    this.durable = durableVersion;
    this.published = durableVersion;
    this.epoch = epoch;
    this.schemaVersion = schemaVersion;
    this.async = options.durability == Durability.ASYNC;
    this.flushIntervalNanos = options.flushInterval.toNanos();
    this.stallTimeoutNanos = options.resolvedStallTimeout().toNanos();
    this.compactionThreshold = options.compactionThreshold;
    this.nanoTime = options.nanoTime;
    this.compactions = 1;
    this.journalBytes = journal.size();
    this.thread = new Thread(this, "snapflux-journal-" + storeName);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  // --- the SYNC feed: called serially by a lossless subscription on the pending store --------

  void feed(Snapshot<S> s) {
    Snapshot<S> last = newestFed;
    if (s.version() > (last == null ? written : last.version())) {
      fed.offer(s);
      newestFed = s;
      signal();
    }
  }

  void feedFailed(Throwable t) {
    feedFailure = t;
    LockSupport.unpark(thread);
  }

  void feedDone() {
    feedDone = true;
    LockSupport.unpark(thread);
  }

  // --- writers ---------------------------------------------------------------------------------

  /** Called by a writer after each commit. */
  void signal() {
    if ((long) PENDING_SINCE.getVolatile(this) == 0) {
      PENDING_SINCE.compareAndSet(this, 0L, now());
    }
    if (idle) {
      LockSupport.unpark(thread);
    }
  }

  /** Wakes the thread to re-read the clock; for tests with a manual clock. */
  void wake() {
    LockSupport.unpark(thread);
  }

  long durableVersion() {
    return durable;
  }

  @Nullable Throwable failure() {
    return failure;
  }

  /** How long the oldest version not yet durable has been waiting, or 0. */
  long pendingNanos() {
    long p = pendingSince;
    return p == 0 ? 0 : Math.max(0, now() - p);
  }

  boolean stalled() {
    return pendingNanos() > stallTimeoutNanos;
  }

  JournalStats stats() {
    return new JournalStats(durable, records, fsyncs, compactions, journalBytes,
        pendingNanos() / 1_000_000, stalled());
  }

  /**
   * Completes once {@code version} is durable and (SYNC) visible; on the journal thread unless
   * already done.
   */
  CompletableFuture<Long> whenDurable(long version) {
    long d = published;
    if (d >= version) {
      return CompletableFuture.completedFuture(d);
    }
    Throwable t = failure;
    if (t != null) {
      return CompletableFuture.failedFuture(failed(t));
    }
    CompletableFuture<Long> f = new CompletableFuture<>();
    Waiter w = new Waiter(version, f);
    waiters.offer(w);
    // Re-check after publishing the waiter: the journal thread writes published (or failure)
    // before it scans the waiters, so either its scan sees this waiter or this read sees its
    // write. Completing twice is harmless: the first completion wins.
    d = published;
    t = failure;
    if (d >= version) {
      f.complete(d);
    } else if (t != null) {
      f.completeExceptionally(failed(t));
      waiters.remove(w); // the failed thread no longer scans the queue
    }
    return f;
  }

  // --- the thread ------------------------------------------------------------------------------

  private long now() {
    long t = nanoTime.getAsLong();
    return t == 0 ? 1 : t;
  }

  /** The newest committed version the journal may write. */
  private @Nullable Snapshot<S> newest() {
    return visible == null ? pending.snapshot() : newestFed;
  }

  private boolean hasNew() {
    Snapshot<S> s = newest();
    return s != null && s.version() > written;
  }

  @Override
  public void run() {
    long lastFlushStart = now() - flushIntervalNanos;
    try {
      for (;;) {
        if (halted) {
          return;
        }
        Throwable ff = feedFailure;
        if (ff != null) {
          throw ff;
        }
        if (hasNew()) {
          if (async && !closing) {
            long wait = lastFlushStart + flushIntervalNanos - now();
            if (wait > 0) {
              // Not idle: writers need not wake us, the timer will.
              LockSupport.parkNanos(this, wait);
              continue;
            }
          }
          lastFlushStart = now();
          append(java.util.Objects.requireNonNull(newest()), lastFlushStart);
          continue;
        }
        if (closing && (visible == null || feedDone)) {
          writeCloseMarker();
          return;
        }
        idle = true;
        if (hasNew() || closing || halted || feedFailure != null) {
          idle = false;
          continue;
        }
        LockSupport.park(this);
        idle = false;
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      JournalDirectory.closeQuietly(channel);
      // Only waits for versions never committed (awaitDurable of a future version) remain, or,
      // after a failure, waiters that registered after fail() drained the queue: they get the
      // failure, not a misleading "closed".
      Throwable t = failure;
      for (Waiter w; (w = waiters.poll()) != null; ) {
        w.future.completeExceptionally(
            t != null ? failed(t) : new StoreClosedException(storeName));
      }
    }
  }

  private void append(Snapshot<S> s, long startedAt) throws Exception {
    byte[] state = codec.encode(s.state());
    ByteBuffer rec = JournalFormat.record(s.version(), s.timestampMillis(), s.cause(), state,
        salt);
    int size = rec.remaining();
    JournalFormat.writeFully(channel, rec, end);
    channel.force(false);
    files.checkJournalIsOurs();
    fsyncs++; // single writer: this thread
    records++;
    end += size;
    written = s.version();
    journalBytes = end;
    // See "Stalls" in the notes. Before publishing: whoever sees the version durable must not
    // see the stall it ends.
    PENDING_SINCE.setVolatile(this, 0L);
    if (pending.snapshot().version() > s.version()) {
      PENDING_SINCE.compareAndSet(this, 0L, startedAt);
    }
    publish(s.version());
    if (end >= compactionThreshold) {
      Compacted next = files.compact(new Entry(s.version(), s.timestampMillis(),
          s.cause() == null ? null : String.valueOf(s.cause()), state, 0), epoch, schemaVersion,
          async, false);
      FileChannel old = channel;
      channel = next.channel();
      salt = next.salt();
      end = next.size();
      JournalDirectory.closeQuietly(old);
      journalBytes = end;
      compactions++;
    }
  }

  /** Makes every version up to {@code version} durable, visible (SYNC), then known to waiters. */
  private void publish(long version) {
    durable = version;
    Replica<S> r = visible;
    if (r != null) {
      for (Snapshot<S> s; (s = fed.peek()) != null && s.version() <= version; ) {
        fed.poll();
        Snapshot<S> previous = r.snapshot();
        r.advance(s);
        if (afterDurable != null && s.version() > previous.version()) {
          afterDurable.committed(previous, s);
        }
      }
    }
    published = version;
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.version <= version || w.future.isDone()) {
        it.remove();
        w.future.complete(version);
      }
    }
  }

  /** A clean shutdown: the next open knows that nothing acknowledged is missing. */
  private void writeCloseMarker() throws Exception {
    ByteBuffer rec = JournalFormat.closeRecord(written, salt);
    int size = rec.remaining();
    JournalFormat.writeFully(channel, rec, end);
    channel.force(false);
    fsyncs++;
    end += size;
    journalBytes = end;
  }

  private void fail(Throwable t) {
    try {
      // Cut back what the failed round may have written, so it cannot come back on reopen.
      channel.truncate(end);
      channel.force(false);
      cutBack = true;
    } catch (Throwable e) {
      t.addSuppressed(e);
    }
    LOG.error("store '{}': the journal failed at durable version {}; the store accepts no more "
        + "updates", storeName, durable, t);
    failure = t;
    for (Waiter w; (w = waiters.poll()) != null; ) {
      w.future.completeExceptionally(failed(t));
    }
  }

  /** The exception updates fail with once the journal has failed with {@code t}. */
  FileStoreException failed(Throwable t) {
    return new FileStoreException(storeName, "store '" + storeName + "': the journal in " + files.dir
        + " failed (" + t + "); the store accepts no more updates. Version " + durable
        + " is on disk; " + (cutBack
            ? "nothing after it is (the journal was cut back to it)"
            : "versions after it " + (visible == null ? "" : "were never visible, but ")
                + "may or may not be on disk: reopening shows which"), t);
  }

  /**
   * Closes the current channel from the calling thread, so the journal thread's next write fails;
   * for tests. Reads {@code channel} racily: call it only while no compaction can run.
   */
  void breakChannel() {
    JournalDirectory.closeQuietly(channel);
  }

  /**
   * Writes and fsyncs the final version and the close marker (the store must already be closed,
   * so the version is final) and stops the thread. Blocks until done.
   */
  void close() {
    closing = true;
    LockSupport.unpark(thread);
    joinUninterruptibly();
    Throwable t = failure;
    if (t != null) {
      throw failed(t);
    }
  }

  /** Stops the thread without writing what is pending: a crash, for tests. */
  void halt() {
    halted = true;
    LockSupport.unpark(thread);
    joinUninterruptibly();
  }

  private void joinUninterruptibly() {
    boolean interrupted = false;
    for (;;) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
