package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The in-memory {@link Store}: an atomic reference to the newest {@link Snapshot}.
 *
 * <pre>
 * Implementation notes.
 *
 * State. {@code head} is the newest snapshot itself (no node beside it): it carries, package-
 * private, a sequence number (+1 per head), the undo stacks of a store with history, a terminal
 * flag (closed) and {@code prev}, a link to its predecessor that is cleared right after
 * publication. Reading the store is one volatile read of head, hence wait-free. Nothing links
 * forward, so no snapshot keeps a later one alive.
 *
 * Update path. Read head, then the shared commit attempt (CommitPipeline.apply: apply the pure
 * function, reject null, return the very base state if the result is equivalent (no version, no
 * emission), run validators and before-commit interceptors only if any exist), then CAS head from
 * the snapshot read to a new one with version + 1 (install(), shared with undo and redo). The
 * pipeline allocates nothing, so the hot path is unchanged by sharing it with Redis. The successful CAS
 * is the linearization point. The clock is read once per update, at its first attempt that
 * builds a snapshot, not once per attempt; compareAndSet passes its constant, not a capturing
 * lambda. On failure: retry, first with a single Thread.onSpinWait(), then with bounded
 * randomized exponential backoff (Backoff); nothing parks, so an update never blocks a Reactor
 * thread. After the CAS the writer reads one volatile word, {@code observers}: with no ring and
 * no subscriber (the fast path) it only clears its snapshot's prev link.
 *
 * Rings, not a version chain. The versions that history and lossless subscribers need live in
 * power-of-two rings indexed by sequence number (Ring): the history ring (at least historySize
 * slots) and one shared ring per power-of-two class of live lossless maxLag. After its CAS a
 * writer puts its head into every ring, then walks prev links from its head and puts every
 * predecessor whose link is still set (a writer delayed between its CAS and its ring writes, any
 * number of them), then clears its own prev with release semantics. Invariant P: a cleared prev
 * means that head and every earlier head some ring reader needs are in the rings; a reader
 * (AtomicStore.lookup) that finds a slot stale walks prev links from the current head with
 * acquire reads, so it finds a delayed writer's head, and after a cleared link it finds the rest
 * in the ring. A writer that saw no ring after its CAS committed before any ring reader started
 * (Dekker below), so its head is needed by none.
 *
 * Memory bound, by construction (invariant M). Reachable snapshots: the head, the rings'
 * slots, one held per conflated subscription mid-delivery (its offer) and the first snapshot of
 * each lossless subscription until delivered, snapshots still linked through prev (at most one
 * per writer between its CAS and its release), and in a store with history the undo steps
 * (at most 2 x historySize, bare copies). The ring slots total at most nextPow2(historySize) +
 * 2 x nextPow2(largest live maxLag). Nothing depends on subscribers' progress: a writer
 * overwrites slots whatever readers do, and a reader that finds its slot overwritten was lapped,
 * which is a lag error (or the visible resync it asked for).
 *
 * Publication. The writer's only fan-out work is FanOut.signal(): a work-in-progress increment
 * per lane with subscriptions, at most FanOut.DIRECT_LANES of them; with more lanes, one increment
 * of a dispatcher whose task (on a shared daemon thread, running no subscriber code) signals the
 * lanes. Each lane's task reads the newest head and drains the subscriptions that have work.
 * Rounds conflate, and a busy lane paces its rounds (DeliveryLane.MIN_ROUND_INTERVAL_NANOS). The signal is sent
 * before the after-commit interceptors run, so one that throws (even an Error, which then reaches
 * the writer) cannot lose it. afterCommit runs on each committing writer after its own CAS, so
 * across concurrent writers its calls are unordered (each version exactly once).
 *
 * Subscribe/commit race (a Dekker pattern over volatiles): a subscription first counts itself
 * (and its ring) in observers by CAS, then joins its lane, then reads head; a writer first CASes
 * head, then reads observers. With sequentially consistent volatile accesses at least one of
 * them sees the other, so no commit is missed by a new subscriber, and every head a lossless
 * subscriber needs is written to its ring.
 *
 * Close. close() CASes head to a terminal copy of the last snapshot (same version and sequence
 * number), through the same loop as updates: close is linearized against updates, and an update
 * that reads a terminal head throws StoreClosedException. Subscribers deliver what they still
 * owe, then complete.
 *
 * Invariants (and the tests that check them):
 *  1. Versions grow by exactly one per commit; no two commits share a version.
 *     (StoreContractTest.update_commitsNextVersion, StoreStressTest, StoreLincheckTest)
 *  2. An equivalent result commits nothing and emits nothing.
 *     (StoreContractTest.update_identityFunction_doesNotPublish, StoreLincheckTest: delta 0)
 *  3. A failing function, a null result or a rejected state leave the store unchanged.
 *     (StoreContractTest.update_functionThrows_*, update_nullResult_*, validator_*;
 *     StoreBadInputTest, which also checks that other subscribers carry on)
 *  4. A conflated subscriber sees strictly increasing versions and always the final one.
 *     (StoreContractTest.changes_*, StoreStressTest, StoreRaceTest.subscribeVsUpdate_conflated_*,
 *     StoreRaceTest.cancelVsDelivery_*; with paced lane rounds: AtomicStoreTest.busyLane_*)
 *  5. A lossless subscriber sees every version exactly once, in order, or a lag error; a
 *     delayed writer delays it but never fails it (invariant P).
 *     (StoreContractTest.changes_lossless*, StoreStressTest, StoreRaceTest.subscribeVsUpdate_lossless_*,
 *     StoreRaceTest.losslessOverflowVsRequest_*, RingDeliveryTest)
 *  6. Writers never run subscriber code, even when the delivery scheduler is disposed; a
 *     subscriber that throws from any signal, blocks or never requests affects only itself, and
 *     what it throws reaches Operators.onErrorDropped.
 *     (StoreContractTest.changes_subscriberThatThrows_*, AtomicStoreTest.slowSubscriber_*,
 *     AtomicStoreTest.update_neverRunsSubscriberCodeOnTheWritingThread,
 *     StoreBadInputTest.subscriberOnNextThrows_*, StoreBadInputTest.select_selectorThrows_*,
 *     DeliveryIsolationTest)
 *  7. After close, updates throw and every subscriber completes after the final snapshot.
 *     (StoreContractTest.close_*, StoreRaceTest.closeVsUpdate_*,
 *     StoreRaceTest.closeVsSubscribe_*, StoreLincheckTest: close)
 *  8. Every operation is linearizable, including the conditional and result-returning
 *     updates, close, history(), at(v), undo and redo. (StoreLincheckTest, model checking and
 *     stress, Operations and HistoryOperations)
 *  9. Every stream obeys the Reactive Streams rules, including §3.9 for bad demand.
 *     (ConflatedChangesPublisherTckTest, LosslessChangesPublisherTckTest,
 *     SelectPublisherTckTest, StoreBadInputTest.request_nonPositive_*)
 * 10. Nothing blocks: subscribing, updating (contended, through Backoff), closing and
 *     delivering are safe on Reactor's non-blocking threads. (StoreBlockHoundTest)
 * 11. Memory is bounded by construction (invariant M), whatever subscribers do; a finished,
 *     cancelled or never-started (onSubscribe threw) subscription holds nothing and leaves no
 *     ring behind. (ReachableVersionsTest, AtomicStoreTest.rings_*,
 *     AtomicStoreTest.losslessSubscriberThatOverflows_releasesItsVersions,
 *     SubscriptionReleaseTest, DeliveryIsolationTest.subscriberWhoseOnSubscribeThrows_*)
 * 12. History keeps the last n versions; undo and redo are new versions committed through the
 *     same CAS (install()). A store built without history has no History capability.
 *     (HistoryTest, StoreContractTest.history_*, StoreLincheckTest.HistoryOperations)
 * 14. Every snapshot of one store carries the epoch made for it at construction (a random id,
 *     or the one a backend passed in StoreOptions); async() completes on the subscribing
 *     thread. (StoreContractTest.epoch_*, StoreBlockHoundTest.asyncWrites*)
 * 13. afterCommit runs exactly once per committed version, unordered across writers; a throwing
 *     one never loses the fan-out signal. (DeliveryIsolationTest.afterCommit_*)
 * </pre>
 */
final class AtomicStore<S> implements Store<S> {

  private static final long ANY_VERSION = CommitPipeline.ANY_VERSION;

  private final String name;
  /** The shared commit attempt: version check, apply, equivalence, rules, counters. */
  private final CommitPipeline<S> pipeline;
  private final Backoff backoff;
  private final Clock clock;
  private final int historySize;
  /** The last heads, at least historySize of them; null without history. */
  private final @Nullable Ring<S> history;
  /** The history capability, made once; null without history. */
  private final @Nullable History<S> historyView;
  private final AsyncWrites<S> async;
  final Scheduler deliveryScheduler;

  private volatile Snapshot<S> head;
  private static final VarHandle HEAD;

  /** Who watches commits: one volatile word, read once by a writer after its CAS. */
  private volatile Observers<S> observers = Observers.none();
  private static final VarHandle OBSERVERS;

  final FanOut<S> fanOut;

  final LongAdder lagOverflows = new LongAdder();

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(AtomicStore.class, "head", Snapshot.class);
      OBSERVERS = l.findVarHandle(AtomicStore.class, "observers", Observers.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  AtomicStore(StoreOptions<S> options) {
    this.name = options.name();
    this.pipeline = new CommitPipeline<>(options);
    this.backoff = options.backoff();
    this.clock = options.clock();
    this.historySize = options.historySize();
    this.history = historySize == 0 ? null : new Ring<>(historySize);
    this.historyView = historySize == 0 ? null : new MemoryHistory();
    this.async = new MemoryAsyncWrites();
    this.deliveryScheduler = options.deliveryScheduler();
    pipeline.validateInitial(options.initial());
    String epoch = options.epoch() != null ? options.epoch() : newEpoch();
    Snapshot<S> initial = new Snapshot<>(options.initialVersion(), options.initial(),
        options.initialCause(), options.initialTimestampMillis() >= 0
            ? options.initialTimestampMillis() : clock.millis(),
        new Snapshot.Epoch(epoch, false), 0, historySize == 0 ? null : UndoStacks.empty(), null);
    this.head = initial;
    if (history != null) {
      history.put(initial);
    }
    this.fanOut = new FanOut<>(this, deliveryScheduler, options.deliveryLanes());
  }

  /** A random incarnation id: a new in-memory store never reuses another's version tokens. */
  private static String newEpoch() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Snapshot<S> snapshot() {
    return head;
  }

  /** The head (terminal once closed). */
  Snapshot<S> head() {
    return head;
  }

  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    return Objects.requireNonNull(commit(cause, ANY_VERSION, fn, null));
  }

  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    Objects.requireNonNull(newState, () -> pipeline.nullStateMessage("compareAndSet"));
    return commit(null, CommitPipeline.requireVersion(expectedVersion), null, newState) != null;
  }

  @Override
  public Outcome<S> updateIfVersion(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    CommitPipeline.requireVersion(expectedVersion);
    for (;;) {
      Outcome<S> o = outcome(commit(cause, expectedVersion, fn, null), expectedVersion);
      if (o != null) {
        return o;
      }
    }
  }

  /**
   * The outcome of a version-checked attempt, or null to retry it.
   *
   * <p>A conflict is linearized at the re-read of the head, so it must not report the expected
   * version: the store may have reached it since the attempt saw an older one (found by
   * StoreLincheckTest). Versions only grow, so a caller retries at most once.
   *
   * @param applied the attempt's committed snapshot, or null on a version mismatch
   */
  private @Nullable Outcome<S> outcome(@Nullable Snapshot<S> applied, long expectedVersion) {
    if (applied != null) {
      return new Outcome.Applied<>(applied);
    }
    Snapshot<S> current = head;
    return current.version() != expectedVersion
        ? new Outcome.Conflict<>(expectedVersion, current) : null;
  }

  /**
   * The head an attempt builds on.
   *
   * @return the head, or {@code null} (counted as a version conflict) if it is not at {@code
   *     expectedVersion}
   * @throws StoreClosedException if the store is closed
   */
  private @Nullable Snapshot<S> headAt(long expectedVersion) {
    Snapshot<S> current = head;
    if (current.terminal()) {
      throw new StoreClosedException(name);
    }
    return pipeline.atVersion(current, expectedVersion) ? current : null;
  }

  /**
   * The CAS retry loop around the shared commit attempt (CommitPipeline). Applies {@code fn}, or
   * installs {@code constant} when {@code fn} is null (no capturing lambda for compareAndSet).
   *
   * @return the committed head, the current head if nothing changed, or {@code null} if the
   *     store was not at {@code expectedVersion}
   */
  private @Nullable Snapshot<S> commit(@Nullable Object cause, long expectedVersion,
      @Nullable UnaryOperator<S> fn, @Nullable S constant) {
    long now = 0; // read once per update, at its first attempt that commits something
    for (int retry = 0; ; ) {
      Snapshot<S> current = headAt(expectedVersion);
      if (current == null) {
        return null;
      }
      S next = pipeline.apply(current, fn, constant, cause);
      if (next == current.state()) {
        return current; // equivalent: no version, no emission
      }
      if (retry == 0) {
        now = clock.millis();
      }
      UndoStacks<S> undo = current.undo == null
          ? null : current.undo.committed(current, historySize);
      Snapshot<S> node = new Snapshot<>(current.version() + 1, next, cause, now,
          current.epoch, current.seq + 1, undo, current);
      if (install(current, node)) {
        return node;
      }
      backoff.pause(++retry);
    }
  }

  /**
   * The compare-and-set of head from {@code current} to {@code node}, shared by updates, undo and
   * redo: publishes on success (the linearization point), counts a lost race otherwise.
   */
  private boolean install(Snapshot<S> current, Snapshot<S> node) {
    if (HEAD.compareAndSet(this, current, node)) {
      // Successful CAS is the linearization point.
      published(current, node);
      return true;
    }
    pipeline.retried();
    return false;
  }

  /**
   * After a successful CAS from {@code previous} to {@code node}: make the new head (and any
   * predecessor a delayed writer has not yet written) findable in the rings, release the
   * predecessor link, signal the fan-out, run the after-commit interceptors.
   *
   * <p>One volatile read (observers), after the CAS: the Dekker pairing with subscribe (see the
   * notes). The fan-out is signalled before the interceptors run, and in any case: an
   * interceptor that throws (even an Error) cannot lose it.
   */
  private void published(Snapshot<S> previous, Snapshot<S> node) {
    Observers<S> o = observers;
    Ring<S>[] rings = o.rings;
    Ring<S> h = history;
    if (h != null || rings.length != 0) {
      if (!node.terminal()) {
        putInRings(node, h, rings);
      }
      // Help: every predecessor whose link is still set may not be written yet.
      for (Snapshot<S> p = node.prevAcquire(); p != null; p = p.prevAcquire()) {
        putInRings(p, h, rings);
      }
    }
    node.released();
    if (o.subscribers != 0) {
      fanOut.signal();
    }
    if (!node.terminal()) {
      pipeline.committed(previous, node);
    }
  }

  private static <S> void putInRings(Snapshot<S> s, @Nullable Ring<S> history, Ring<S>[] rings) {
    if (history != null) {
      history.put(s);
    }
    for (Ring<S> r : rings) {
      r.put(s);
    }
  }

  /**
   * The head with sequence number {@code seq}, looked up in {@code ring}: a delayed writer's head
   * is still reachable from the current head through prev links, everything older is in the
   * ring. Returns null if {@code seq} is newer than the head, or if the ring no longer holds it
   * (lapped: see {@link #lapped}).
   */
  @Nullable Snapshot<S> lookup(long seq, Ring<S> ring) {
    Snapshot<S> r = ring.get(seq);
    if (r != null && r.seq == seq) {
      return r;
    }
    Snapshot<S> x = head;
    while (x.seq > seq) {
      Snapshot<S> p = x.prevAcquire();
      if (p == null) {
        // x and every predecessor a reader of this ring needs are in the ring (release/acquire
        // on prev): read the slot again.
        r = ring.get(seq);
        return r != null && r.seq == seq ? r : null;
      }
      x = p;
    }
    return x.seq == seq ? x : null;
  }

  // ---------------------------------------------------------------------------------------------
  // History, undo and redo

  @Override
  public Optional<History<S>> history() {
    return Optional.ofNullable(historyView);
  }

  @Override
  public AsyncWrites<S> async() {
    return async;
  }

  /**
   * Linearizable: the versions of one head, each found through its prev links or the ring. If
   * the ring was lapped while reading (writers went past the window), the list would mix two
   * windows: read again from the new head. Obstruction-free (a reader alone always completes).
   */
  private io.vavr.collection.List<Snapshot<S>> versions(Ring<S> ring) {
    for (;;) {
      Snapshot<S> h = head;
      io.vavr.collection.List<Snapshot<S>> result = io.vavr.collection.List.of(h);
      boolean lapped = false;
      for (long k = 1; k < historySize && k <= h.seq; k++) {
        Snapshot<S> s = lookup(h.seq - k, ring);
        if (s == null) {
          lapped = ringHolds(ring, h.seq - k) == Slot.NEWER;
          break;
        }
        result = result.prepend(s);
      }
      if (!lapped) {
        return result;
      }
    }
  }

  private enum Slot { NEWER, OLDER_OR_EMPTY }

  private static <S> Slot ringHolds(Ring<S> ring, long seq) {
    Snapshot<S> r = ring.get(seq);
    return r != null && r.seq > seq ? Slot.NEWER : Slot.OLDER_OR_EMPTY;
  }

  /** Linearized at the head read when found, at the slot read when lapped. */
  private Optional<Snapshot<S>> at(Ring<S> ring, long version) {
    Snapshot<S> h = head;
    if (version == h.version()) {
      return Optional.of(h);
    }
    if (version < 0 || version > h.version() || version <= h.version() - historySize) {
      return Optional.empty();
    }
    long seq = h.seq - (h.version() - version);
    if (seq < 0) {
      return Optional.empty();
    }
    Snapshot<S> s = lookup(seq, ring);
    return s != null && s.version() == version ? Optional.of(s) : Optional.empty();
  }

  private Outcome<S> travelIfVersion(boolean undo, long expectedVersion, @Nullable Object by) {
    CommitPipeline.requireVersion(expectedVersion);
    for (;;) {
      Outcome<S> o = outcome(travel(undo, expectedVersion, by), expectedVersion);
      if (o != null) {
        return o;
      }
    }
  }

  /**
   * Undo or redo: a new version with an earlier state, through the same pipeline check and the
   * same CAS ({@link #install}) as updates.
   *
   * @return the committed head, the current one if there was nothing to undo or redo, or {@code
   *     null} if the store was not at {@code expectedVersion}
   */
  private @Nullable Snapshot<S> travel(boolean undo, long expectedVersion, @Nullable Object by) {
    for (int retry = 0; ; ) {
      Snapshot<S> current = headAt(expectedVersion);
      if (current == null) {
        return null;
      }
      UndoStacks<S> stacks = Objects.requireNonNull(current.undo);
      io.vavr.collection.List<Snapshot<S>> from = undo ? stacks.past() : stacks.future();
      if (from.isEmpty()) {
        return current;
      }
      Snapshot<S> target = from.head();
      Object cause = undo
          ? new HistoryCause.Undo(current.version(), target.version(), by)
          : new HistoryCause.Redo(target.version(), by);
      pipeline.check(current, target.state(), cause);
      Snapshot<S> node = new Snapshot<>(current.version() + 1, target.state(), cause,
          clock.millis(), current.epoch, current.seq + 1,
          undo ? stacks.undone(current) : stacks.redone(current), current);
      if (install(current, node)) {
        return node;
      }
      backoff.pause(++retry);
    }
  }

  /** The history capability of a store built with history(n). */
  private final class MemoryHistory implements History<S> {

    private final AsyncHistory<S> async = new MemoryAsyncHistory();

    @Override
    public io.vavr.collection.List<Snapshot<S>> versions() {
      return AtomicStore.this.versions(Objects.requireNonNull(history));
    }

    @Override
    public Optional<Snapshot<S>> at(long version) {
      return AtomicStore.this.at(Objects.requireNonNull(history), version);
    }

    @Override
    public Snapshot<S> undo(@Nullable Object by) {
      return Objects.requireNonNull(travel(true, ANY_VERSION, by));
    }

    @Override
    public Snapshot<S> redo(@Nullable Object by) {
      return Objects.requireNonNull(travel(false, ANY_VERSION, by));
    }

    @Override
    public Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by) {
      return travelIfVersion(true, expectedVersion, by);
    }

    @Override
    public Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by) {
      return travelIfVersion(false, expectedVersion, by);
    }

    @Override
    public boolean canUndo() {
      UndoStacks<S> u = head.undo;
      return u != null && !u.past().isEmpty();
    }

    @Override
    public boolean canRedo() {
      UndoStacks<S> u = head.undo;
      return u != null && !u.future().isEmpty();
    }

    @Override
    public AsyncHistory<S> async() {
      return async;
    }
  }

  /** In memory an undo is acknowledged at its CAS: complete at once, no thread hop. */
  private final class MemoryAsyncHistory implements AsyncHistory<S> {

    @Override
    public Mono<Outcome<S>> undoIfVersion(long expectedVersion, @Nullable Object by) {
      CommitPipeline.requireVersion(expectedVersion);
      return Mono.fromSupplier(() -> travelIfVersion(true, expectedVersion, by));
    }

    @Override
    public Mono<Outcome<S>> redoIfVersion(long expectedVersion, @Nullable Object by) {
      CommitPipeline.requireVersion(expectedVersion);
      return Mono.fromSupplier(() -> travelIfVersion(false, expectedVersion, by));
    }
  }

  /**
   * The asynchronous view: in memory a write is acknowledged at its CAS, so each Mono runs the
   * synchronous write on the subscribing thread and completes at once (no thread hop; the
   * update loop never parks, so this is safe on non-blocking threads).
   */
  private final class MemoryAsyncWrites implements AsyncWrites<S> {

    @Override
    public Mono<Snapshot<S>> update(@Nullable Object cause, UnaryOperator<S> fn) {
      Objects.requireNonNull(fn, "fn");
      return Mono.fromSupplier(() -> AtomicStore.this.update(cause, fn));
    }

    @Override
    public Mono<Outcome<S>> updateIfVersion(long expectedVersion, @Nullable Object cause,
        UnaryOperator<S> fn) {
      Objects.requireNonNull(fn, "fn");
      CommitPipeline.requireVersion(expectedVersion);
      return Mono.fromSupplier(() -> AtomicStore.this.updateIfVersion(expectedVersion, cause, fn));
    }

    @Override
    public Mono<Boolean> compareAndSet(long expectedVersion, S newState) {
      Objects.requireNonNull(newState, () -> pipeline.nullStateMessage("compareAndSet"));
      CommitPipeline.requireVersion(expectedVersion);
      return Mono.fromSupplier(() -> AtomicStore.this.compareAndSet(expectedVersion, newState));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Observers: subscriber count and lossless rings

  /**
   * Counts a subscription in, before it joins its lane and reads the head (Dekker with
   * published()). A lossless subscription also gets the ring it reads from: the history ring if
   * it is large enough, else the shared ring of its power-of-two class, created on first use.
   *
   * @return the ring a lossless subscription reads, or null for a conflated one
   */
  @Nullable Ring<S> join(int maxLag) {
    Ring<S> h = history;
    boolean useHistory = maxLag == 0 || (h != null && h.capacity() >= maxLag);
    for (;;) {
      Observers<S> o = observers;
      Observers<S> n = useHistory ? o.plusSubscriber() : o.plusLossless(maxLag);
      if (OBSERVERS.compareAndSet(this, o, n)) {
        return maxLag == 0 ? null : useHistory ? h : n.ringFor(maxLag);
      }
    }
  }

  /**
   * Counts a subscription out; a ring nobody reads any more is dropped and emptied (a finished
   * subscription that the application still holds must not keep the ring's heads reachable:
   * AtomicStoreTest.losslessSubscriberThatOverflows_releasesItsVersions).
   */
  void leave(@Nullable Ring<S> ring) {
    for (;;) {
      Observers<S> o = observers;
      Observers<S> n = ring == null || ring == history ? o.minusSubscriber() : o.minusLossless(ring);
      if (OBSERVERS.compareAndSet(this, o, n)) {
        if (ring != null && ring != history && !n.contains(ring)) {
          ring.clear();
        }
        return;
      }
    }
  }

  /** Slots held by the lossless rings, for tests (the history ring is not counted). */
  int ringSlots() {
    int n = 0;
    for (Ring<S> r : observers.rings) {
      n += r.capacity();
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Subscribing

  @Override
  public Flux<Snapshot<S>> changes(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    return new ChangesFlux<>(this, delivery);
  }

  /**
   * Installs a snapshot whose version was decided elsewhere (a replica following a shared
   * store). Versions may jump forward: the head's sequence number still grows by one, so a jump
   * costs a lossless subscriber one step of lag, and it sees the jump as a gap in versions.
   *
   * @return false if {@code next} is not newer than the current snapshot (nothing changed)
   * @throws StoreClosedException if the store is closed
   */
  boolean advance(Snapshot<S> next) {
    for (;;) {
      Snapshot<S> current = head;
      if (current.terminal()) {
        throw new StoreClosedException(name);
      }
      if (next.version() <= current.version()) {
        return false;
      }
      Snapshot<S> node = next.asHead(current.seq + 1, current.undo, current);
      if (HEAD.compareAndSet(this, current, node)) {
        // Successful CAS is the linearization point.
        published(current, node);
        return true;
      }
    }
  }

  @Override
  public StoreStats stats() {
    long seq = head.seq;
    long maxLag = 0;
    int count = 0;
    int lossless = 0;
    for (StoreSubscription<S> s : fanOut.subscriptions()) {
      count++;
      if (s.isLossless()) {
        lossless++;
      }
      maxLag = Math.max(maxLag, s.losslessLag(seq));
    }
    return pipeline.stats(head.version(), count, lossless, maxLag, lagOverflows.sum());
  }

  @Override
  public boolean isClosed() {
    return head.terminal();
  }

  @Override
  public void close() {
    for (;;) {
      Snapshot<S> current = head;
      if (current.terminal()) {
        return;
      }
      Snapshot<S> terminal = current.asTerminal();
      if (HEAD.compareAndSet(this, current, terminal)) {
        // Successful CAS is the linearization point of close.
        published(current, terminal);
        return;
      }
    }
  }

  @Override
  public String toString() {
    Snapshot<S> h = head;
    return "AtomicStore{name=" + name + ", version=" + h.version()
        + (h.terminal() ? ", closed" : "") + "}";
  }
}
