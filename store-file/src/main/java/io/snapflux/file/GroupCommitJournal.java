package io.snapflux.file;

import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StoreClosedException;
import io.snapflux.store.Store;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The journal thread of one file store: it writes the in-memory store's newest version to the
 * journal, forces it to disk, and completes whoever waits for that version.
 *
 * <pre>
 * Implementation notes.
 *
 * Feeding. The thread does not subscribe to the store; it reads store.snapshot(), the newest
 * committed version. Every record holds a full state, so the newest version subsumes all older
 * ones: writing it makes every version up to it durable. This is group commit by construction:
 * while one write + fsync runs, any number of writers commit in memory, and the next round writes
 * one record and does one fsync for all of them. The journal therefore skips versions under load
 * (recovery allows gaps: versions only have to grow), and its volume is bounded by the fsync rate,
 * not the commit rate. A lossless subscription would write every version, cost a record per
 * commit, and fail (or skip anyway) once the journal lagged past its bound.
 *
 * Waking. Writers call signal() after a commit; it unparks the thread only if it announced it is
 * idle. The thread sets idle, re-reads the store's version, and parks only if nothing is new.
 * Writer: commit (volatile CAS of the store's head), then read idle. Thread: write idle, then
 * read head. Both are volatile, so at least one side sees the other: no lost wake-up. While the
 * thread is busy (writing, fsyncing, or waiting out an async flush interval) writers pay one
 * volatile read.
 *
 * Waiting. durable is written only by this thread, after the fsync. Waiters sit in a lock-free
 * queue, so registering never blocks (a Reactor thread may register one through awaitDurable).
 * A waiter is offered first and then re-reads durable; the thread writes durable first and then
 * scans the queue. Both sides are volatile accesses, so either the scan finds the waiter or the
 * waiter sees the new durable and completes itself; a future completed twice keeps its first
 * value. Each scan is O(waiting writers); a waiting writer has at most one waiter.
 *
 * Invariants (and the tests that check them):
 *  1. durable <= store version, and a version is durable only after the fsync covering it.
 *     (FileStoreCrashTest.sigkill_syncStore_keepsEveryAcknowledgedVersion)
 *  2. Records in one journal have strictly increasing versions.
 *     (FileStoreRecoveryTest.corruptedByteInRecord_*, truncatedTail_*)
 *  3. Concurrent sync writers share fsyncs. (FileStoreTest.groupCommit_concurrentWriters_shareFsyncs)
 *  4. ASYNC: a version is written within flushInterval of its commit, plus one write and fsync.
 *     (FileStoreTest.async_*)
 * </pre>
 */
final class GroupCommitJournal<S> implements Runnable {

  private static final Logger LOG = Loggers.getLogger(GroupCommitJournal.class);

  private record Waiter(long version, CompletableFuture<Long> future) {}

  private final String storeName;
  private final Store<S> source;
  private final StateCodec<S> codec;
  private final JournalDirectory files;
  private final int schemaVersion;
  private final boolean async;
  private final long flushIntervalNanos;
  private final long compactionThreshold;
  private final Thread thread;

  // Owned by the journal thread (after start()).
  private FileChannel channel;
  private long written;

  private volatile long durable;
  private volatile boolean idle;
  private volatile boolean closing;
  private volatile boolean halted;
  private volatile @Nullable Throwable failure;

  private volatile long records;
  private volatile long fsyncs;
  private volatile long compactions;
  private volatile long journalBytes;

  /** Writers waiting for a version to become durable; at most one per waiting call. */
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  GroupCommitJournal(String storeName, Store<S> source, StateCodec<S> codec,
      JournalDirectory files, FileChannel channel, long durableVersion, int schemaVersion,
      boolean async, long flushIntervalNanos, long compactionThreshold, long compactions) {
    this.storeName = storeName;
    this.source = source;
    this.codec = codec;
    this.files = files;
    this.channel = channel;
    this.written = durableVersion;
    this.durable = durableVersion;
    this.schemaVersion = schemaVersion;
    this.async = async;
    this.flushIntervalNanos = flushIntervalNanos;
    this.compactionThreshold = compactionThreshold;
    this.compactions = compactions;
    this.journalBytes = JournalFormat.HEADER_SIZE;
    this.thread = new Thread(this, "snapflux-journal-" + storeName);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Called by a writer after each commit. */
  void signal() {
    if (idle) {
      LockSupport.unpark(thread);
    }
  }

  long durableVersion() {
    return durable;
  }

  @Nullable Throwable failure() {
    return failure;
  }

  JournalStats stats() {
    return new JournalStats(durable, records, fsyncs, compactions, journalBytes);
  }

  /** Completes once {@code version} is durable; on the journal thread unless already done. */
  CompletableFuture<Long> whenDurable(long version) {
    long d = durable;
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
    // Re-check after publishing the waiter: the journal thread writes durable (or failure)
    // before it scans the waiters, so either its scan sees this waiter or this read sees its
    // write. Completing twice is harmless: the first completion wins.
    d = durable;
    t = failure;
    if (d >= version) {
      f.complete(d);
    } else if (t != null) {
      f.completeExceptionally(failed(t));
      waiters.remove(w); // the failed thread no longer scans the queue
    }
    return f;
  }

  @Override
  public void run() {
    long lastFlush = System.nanoTime() - flushIntervalNanos;
    try {
      for (;;) {
        if (halted) {
          return;
        }
        Snapshot<S> s = source.snapshot();
        if (s.version() > written) {
          if (async && !closing) {
            long wait = lastFlush + flushIntervalNanos - System.nanoTime();
            if (wait > 0) {
              // Not idle: writers need not wake us, the timer will.
              LockSupport.parkNanos(this, wait);
              continue;
            }
          }
          append(s);
          lastFlush = System.nanoTime();
          continue;
        }
        if (closing) {
          return;
        }
        idle = true;
        if (source.snapshot().version() > written || closing || halted) {
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

  private void append(Snapshot<S> s) throws Exception {
    ByteBuffer rec = JournalFormat.record(s.version(), s.timestampMillis(), s.cause(),
        codec.encode(s.state()));
    int size = rec.remaining();
    JournalFormat.writeFully(channel, rec.duplicate());
    channel.force(false);
    fsyncs++; // single writer: this thread
    records++;
    written = s.version();
    journalBytes += size;
    publishDurable(s.version());
    if (journalBytes >= compactionThreshold) {
      FileChannel next = files.compact(rec, s.version(), schemaVersion);
      FileChannel old = channel;
      channel = next;
      JournalDirectory.closeQuietly(old);
      journalBytes = JournalFormat.HEADER_SIZE;
      compactions++;
    }
  }

  private void publishDurable(long version) {
    durable = version;
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.version <= version || w.future.isDone()) {
        it.remove();
        w.future.complete(version);
      }
    }
  }

  private void fail(Throwable t) {
    LOG.error("store '{}': the journal failed at durable version {}; the store accepts no more "
        + "updates", storeName, durable, t);
    failure = t;
    for (Waiter w; (w = waiters.poll()) != null; ) {
      w.future.completeExceptionally(failed(t));
    }
  }

  /** The exception updates fail with once the journal has failed with {@code t}. */
  FileStoreException failed(Throwable t) {
    return new FileStoreException("store '" + storeName + "': the journal in " + files.dir
        + " failed (" + t + "); the store accepts no more updates, and versions after " + durable
        + " may not be on disk", t);
  }

  /**
   * Closes the current channel from the calling thread, so the journal thread's next write fails;
   * for tests. Reads {@code channel} racily: call it only while no compaction can run.
   */
  void breakChannel() {
    JournalDirectory.closeQuietly(channel);
  }

  /**
   * Writes and fsyncs the final version (the store must already be closed, so it is final) and
   * stops the thread. Blocks until done.
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
