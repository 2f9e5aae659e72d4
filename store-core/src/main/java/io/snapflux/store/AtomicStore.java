package io.snapflux.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The in-memory {@link Store}: an atomic reference to the newest node of a version chain.
 *
 * <pre>
 * Implementation notes.
 *
 * State. {@code head} points to the newest {@link Node}; each node holds one immutable snapshot
 * and a forward link to its successor. Reading the store is one volatile read of head, hence
 * wait-free. Nodes only link forward, so versions older than the oldest one still needed by a
 * lossless subscriber are unreachable and collected.
 *
 * Update path. Read head, apply the pure function, return early if the result is equivalent (no
 * version, no emission), reject null and invalid states, then CAS head from the node read to a new
 * node with version + 1. The successful CAS is the linearization point. On failure: retry, first
 * with a single Thread.onSpinWait(), then with bounded randomized exponential backoff (Backoff);
 * nothing parks, so an update never blocks a Reactor thread. After the CAS the writer links the
 * old node to the new one (helping its predecessor's link too, so one delayed writer cannot stall
 * lossless subscribers) and signals the fan-out.
 *
 * Publication. The writer's only publication work is O(lanes), whatever the number of
 * subscribers: for each delivery lane that has subscriptions it increments the lane's
 * work-in-progress counter (Reactor's drain idiom) and, only on the 0 -> 1 transition, schedules
 * the lane's task on its worker. A lane's task reads the newest head and walks its subscriptions,
 * draining inline those with work; one with nothing to do (no demand, nothing newer, no
 * overflow) costs a few volatile reads. Rounds conflate, so a burst of commits costs
 * subscribers one pass. With no subscribers, the signal is skipped altogether. Lanes, not a task
 * per subscriber: see DeliveryLane.

 * Subscribe/commit race (a Dekker pattern over volatiles): a subscription first counts itself
 * in subscriberCount and joins its lane, then reads head; a writer first CASes head, then reads
 * the count and the lanes. With
 * sequentially consistent volatile accesses at least one of them sees the other, so no commit is
 * missed by a new subscriber. The writer's link old.next = new is a volatile write for the same
 * reason: a new lossless subscriber that sees the new head must also see the link.
 *
 * Close. close() CASes head to a terminal node repeating the last snapshot, through the same
 * loop as updates: close is linearized against updates, and an update that reads a terminal head
 * throws StoreClosedException. Subscribers deliver what they still owe, then complete.
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
 *     StoreRaceTest.cancelVsDelivery_*)
 *  5. A lossless subscriber sees every version exactly once, in order, or a lag error.
 *     (StoreContractTest.changes_lossless*, StoreStressTest, StoreRaceTest.subscribeVsUpdate_lossless_*,
 *     StoreRaceTest.losslessOverflowVsRequest_*)
 *  6. Writers never run subscriber code; a throwing subscriber fails alone.
 *     (StoreContractTest.changes_subscriberThatThrows_*, AtomicStoreTest.slowSubscriber_*,
 *     AtomicStoreTest.update_neverRunsSubscriberCodeOnTheWritingThread,
 *     StoreBadInputTest.subscriberOnNextThrows_*, StoreBadInputTest.select_selectorThrows_*)
 *  7. After close, updates throw and every subscriber completes after the final snapshot.
 *     (StoreContractTest.close_*, StoreRaceTest.closeVsUpdate_*,
 *     StoreRaceTest.closeVsSubscribe_*, StoreLincheckTest: close)
 *  8. Every operation is linearizable, including the conditional and result-returning
 *     updates and close. (StoreLincheckTest, model checking and stress)
 *  9. Every stream obeys the Reactive Streams rules, including §3.9 for bad demand.
 *     (ConflatedChangesPublisherTckTest, LosslessChangesPublisherTckTest,
 *     SelectPublisherTckTest, StoreBadInputTest.request_nonPositive_*)
 * 10. Nothing blocks: subscribing, updating (contended, through Backoff), closing and
 *     delivering are safe on Reactor's non-blocking threads. (StoreBlockHoundTest)
 * 11. The version chain is linked only while lossless subscribers exist, and a finished or
 *     cancelled subscription holds none of it. (AtomicStoreTest.versionChain_*,
 *     AtomicStoreTest.losslessSubscriberThatOverflows_releasesTheVersionChain,
 *     SubscriptionReleaseTest)
 * 12. History keeps the last n versions; undo and redo are new versions committed through the
 *     same CAS. (HistoryTest)
 * </pre>
 */
final class AtomicStore<S> implements Store<S> {

  private final String name;
  private final CommitRules<S> rules;
  private final Equivalence<S> equivalence;
  private final Backoff backoff;
  private final Clock clock;
  private final int historySize;
  /** Recent snapshots by {@code version % historySize}; null without history. */
  private final @Nullable AtomicReferenceArray<Snapshot<S>> history;
  final Scheduler deliveryScheduler;

  private volatile Node<S> head;
  private static final VarHandle HEAD;

  /** Delivery lanes; a subscription lives on one, chosen round-robin. */
  private final DeliveryLane<S>[] lanes;

  /** Benign race: a lost increment only makes two subscriptions share a lane choice. */
  private int nextLane;

  private volatile int subscriberCount;
  private static final VarHandle SUBSCRIBER_COUNT;

  /** Live lossless subscriptions; the version chain is linked only while there are any. */
  private volatile int losslessCount;
  private static final VarHandle LOSSLESS_COUNT;


  private final LongAdder casRetries = new LongAdder();
  private final LongAdder versionConflicts = new LongAdder();
  private final LongAdder validationRejections = new LongAdder();
  final LongAdder lagOverflows = new LongAdder();

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(AtomicStore.class, "head", Node.class);
      SUBSCRIBER_COUNT = l.findVarHandle(AtomicStore.class, "subscriberCount", int.class);
      LOSSLESS_COUNT = l.findVarHandle(AtomicStore.class, "losslessCount", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unchecked")
  AtomicStore(StoreBuilder<S> builder) {
    this.name = builder.name;
    this.rules = builder.commitRules();
    this.equivalence = builder.equivalence;
    this.backoff = builder.backoff;
    this.clock = builder.clock;
    this.historySize = builder.historySize;
    this.history = historySize == 0 ? null : new AtomicReferenceArray<>(historySize);
    this.deliveryScheduler = builder.deliveryScheduler;
    rules.validate(name, builder.initial);
    Snapshot<S> initial =
        Snapshot.of(builder.initialVersion, builder.initial, builder.initialCause,
            builder.initialTimestampMillis >= 0 ? builder.initialTimestampMillis : clock.millis());
    this.head = new Node<>(initial, false, null, historySize == 0 ? null : UndoStacks.empty());
    record(initial);
    @SuppressWarnings("unchecked")
    DeliveryLane<S>[] l = new DeliveryLane[builder.deliveryLanes];
    for (int i = 0; i < l.length; i++) {
      l[i] = new DeliveryLane<>(this, deliveryScheduler);
    }
    this.lanes = l;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Snapshot<S> snapshot() {
    return head.snapshot;
  }

  Node<S> head() {
    return head;
  }

  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    Node<S> committed = commit(cause, ANY_VERSION, fn);
    return Objects.requireNonNull(committed).snapshot;
  }

  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    Objects.requireNonNull(newState, () -> nullStateMessage("compareAndSet"));
    return commit(null, requireVersion(expectedVersion), s -> newState) != null;
  }

  @Override
  public Outcome<S> updateIfVersion(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    return ifVersion(requireVersion(expectedVersion), () -> {
      Node<S> committed = commit(cause, expectedVersion, fn);
      return committed == null ? null : committed.snapshot;
    });
  }

  /**
   * Runs a version-checked {@code attempt} until it applies or a conflict can be reported.
   *
   * <p>The conflict is linearized at the re-read of the head, so it must not report the expected
   * version: the store may have reached it since the attempt saw an older one (found by
   * StoreLincheckTest). Versions only grow, so this retries at most once.
   *
   * @param attempt returns the applied snapshot, or {@code null} on a version mismatch
   */
  private Outcome<S> ifVersion(long expectedVersion, Supplier<@Nullable Snapshot<S>> attempt) {
    for (;;) {
      Snapshot<S> applied = attempt.get();
      if (applied != null) {
        return new Outcome.Applied<>(applied);
      }
      Snapshot<S> current = head.snapshot;
      if (current.version() != expectedVersion) {
        return new Outcome.Conflict<>(expectedVersion, current);
      }
    }
  }

  private static long requireVersion(long expectedVersion) {
    if (expectedVersion < 0) {
      throw new IllegalArgumentException(
          "expectedVersion must be >= 0 (versions start at 0), was " + expectedVersion);
    }
    return expectedVersion;
  }

  private static final long ANY_VERSION = -1;

  /**
   * The head an attempt builds on.
   *
   * @return the head, or {@code null} (counted as a version conflict) if it is not at {@code
   *     expectedVersion}
   * @throws StoreClosedException if the store is closed
   */
  private @Nullable Node<S> headAt(long expectedVersion) {
    Node<S> current = head;
    if (current.terminal) {
      throw new StoreClosedException(name);
    }
    if (expectedVersion != ANY_VERSION && current.version != expectedVersion) {
      versionConflicts.increment();
      return null;
    }
    return current;
  }

  /**
   * The CAS retry loop.
   *
   * @return the committed node, the current node if nothing changed, or {@code null} if the store
   *     was not at {@code expectedVersion}
   */
  private @Nullable Node<S> commit(
      @Nullable Object cause, long expectedVersion, UnaryOperator<S> fn) {
    for (int retry = 0; ; ) {
      Node<S> current = headAt(expectedVersion);
      if (current == null) {
        return null;
      }
      S state = current.snapshot.state();
      S next = fn.apply(state);
      if (next == null) {
        throw new NullPointerException(nullStateMessage("the update function"));
      }
      if (equivalence.equivalent(state, next)) {
        return current;
      }
      check(current, next, cause);
      UndoStacks<S> undo = current.undo == null
          ? null : current.undo.committed(current.snapshot, historySize);
      Node<S> node = new Node<>(
          Snapshot.of(current.version + 1, next, cause, clock.millis()), false, current,
          undo);
      if (HEAD.compareAndSet(this, current, node)) {
        // Successful CAS is the linearization point.
        published(current, node);
        return node;
      }
      casRetries.increment();
      backoff.pause(++retry);
    }
  }

  private String nullStateMessage(String who) {
    return who + " returned null: a Snapflux state is never null (store '" + name + "')";
  }

  /** Validators, then the interceptors' before-commit hooks: may throw, commits nothing. */
  private void check(Node<S> current, S next, @Nullable Object cause) {
    try {
      rules.check(name, current.snapshot, next, cause);
    } catch (StateValidationException e) {
      validationRejections.increment();
      throw e;
    }
  }

  void losslessJoined() {
    LOSSLESS_COUNT.getAndAdd(this, 1);
  }

  void losslessLeft() {
    LOSSLESS_COUNT.getAndAdd(this, -1);
  }

  /**
   * After a successful CAS from {@code previous} to {@code node}: link the chain if a lossless
   * subscriber may walk it, record history, run after-commit interceptors, signal the fan-out.
   *
   * <p>The chain is linked only while lossless subscriptions exist. A conflated subscriber reads
   * the head and needs no links; without them, a node that a preempted writer still holds, or
   * that was promoted to the old generation, keeps nothing newer alive (the "nepotism" that made
   * young collections copy and promote the whole chain under contention; benchmarks' GC
   * figures). Dekker again: a lossless subscription increments losslessCount before it reads
   * the head, a writer reads losslessCount after its CAS; so a subscription that starts at
   * {@code previous} is always linked to {@code node}.
   */
  private void published(Node<S> previous, Node<S> node) {
    if ((int) LOSSLESS_COUNT.getVolatile(this) > 0) {
      previous.linkFromPrev(); // help a delayed writer's link first
      node.linkTo(previous);
    }
    node.forgetPrev();
    if (!node.terminal) {
      record(node.snapshot);
      rules.committed(name, previous.snapshot, node.snapshot);
    }
    signalFanOut();
  }

  // ---------------------------------------------------------------------------------------------
  // History, undo and redo

  /**
   * Records a committed snapshot in the history ring. A slot only moves forward, so a writer
   * delayed between its CAS and this call cannot overwrite a newer version; until it records,
   * its version is briefly absent from history() (benign: at() also consults the head).
   */
  private void record(Snapshot<S> snapshot) {
    AtomicReferenceArray<Snapshot<S>> ring = history;
    if (ring == null) {
      return;
    }
    int slot = (int) (snapshot.version() % historySize);
    for (;;) {
      Snapshot<S> old = ring.get(slot);
      if (old != null && old.version() >= snapshot.version()) {
        return;
      }
      if (ring.compareAndSet(slot, old, snapshot)) {
        return;
      }
    }
  }

  @Override
  public io.vavr.collection.List<Snapshot<S>> history() {
    Node<S> h = head;
    AtomicReferenceArray<Snapshot<S>> ring = history;
    if (ring == null) {
      return io.vavr.collection.List.of(h.snapshot);
    }
    io.vavr.collection.List<Snapshot<S>> result = io.vavr.collection.List.of(h.snapshot);
    for (long v = h.version - 1; v >= 0 && v > h.version - historySize; v--) {
      Snapshot<S> s = ring.get((int) (v % historySize));
      if (s != null && s.version() == v) {
        result = result.prepend(s);
      } else {
        break;
      }
    }
    return result;
  }

  @Override
  public Optional<Snapshot<S>> at(long version) {
    Node<S> h = head;
    if (version == h.version) {
      return Optional.of(h.snapshot);
    }
    AtomicReferenceArray<Snapshot<S>> ring = history;
    if (ring == null || version < 0 || version > h.version || version <= h.version - historySize) {
      return Optional.empty();
    }
    Snapshot<S> s = ring.get((int) (version % historySize));
    return s != null && s.version() == version ? Optional.of(s) : Optional.empty();
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
  public Snapshot<S> undo() {
    return Objects.requireNonNull(travel(true, ANY_VERSION));
  }

  @Override
  public Snapshot<S> redo() {
    return Objects.requireNonNull(travel(false, ANY_VERSION));
  }

  /** Undo or redo: a new version with an earlier state, through the same CAS loop. */
  @Override
  public Outcome<S> undoIfVersion(long expectedVersion) {
    return travelIfVersion(true, requireVersion(expectedVersion));
  }

  @Override
  public Outcome<S> redoIfVersion(long expectedVersion) {
    return travelIfVersion(false, requireVersion(expectedVersion));
  }

  private Outcome<S> travelIfVersion(boolean undo, long expectedVersion) {
    return ifVersion(expectedVersion, () -> travel(undo, expectedVersion));
  }

  /**
   * @return the committed snapshot, the current one if there was nothing to undo or redo, or
   *     {@code null} if the store was not at {@code expectedVersion}
   */
  private @Nullable Snapshot<S> travel(boolean undo, long expectedVersion) {
    if (historySize == 0) {
      throw new UnsupportedOperationException("store '" + name
          + "' keeps no history; build it with history(n) to enable undo and redo");
    }
    for (int retry = 0; ; ) {
      Node<S> current = headAt(expectedVersion);
      if (current == null) {
        return null;
      }
      UndoStacks<S> stacks = Objects.requireNonNull(current.undo);
      io.vavr.collection.List<Snapshot<S>> from = undo ? stacks.past() : stacks.future();
      if (from.isEmpty()) {
        return current.snapshot;
      }
      Snapshot<S> target = from.head();
      Object cause = undo
          ? new HistoryCause.Undo(current.version, target.version())
          : new HistoryCause.Redo(target.version());
      check(current, target.state(), cause);
      Node<S> node = new Node<>(
          Snapshot.of(current.version + 1, target.state(), cause, clock.millis()), false,
          current, undo ? stacks.undone(current.snapshot) : stacks.redone(current.snapshot));
      if (HEAD.compareAndSet(this, current, node)) {
        // Successful CAS is the linearization point.
        published(current, node);
        return node.snapshot;
      }
      casRetries.increment();
      backoff.pause(++retry);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fan-out

  private void signalFanOut() {
    // Volatile read after the head CAS: see the subscribe/commit race in the notes.
    if ((int) SUBSCRIBER_COUNT.getVolatile(this) == 0) {
      return;
    }
    for (DeliveryLane<S> lane : lanes) {
      if (!lane.isEmpty()) {
        lane.signal();
      }
    }
  }

  /** Registers a subscription on a lane (round-robin). Counted first: see signalFanOut. */
  void add(StoreSubscription<S> s) {
    SUBSCRIBER_COUNT.getAndAdd(this, 1);
    DeliveryLane<S> lane = lanes[(int) (Integer.toUnsignedLong(nextLane++) % lanes.length)];
    s.lane = lane;
    lane.add(s);
  }

  void remove(StoreSubscription<S> s) {
    DeliveryLane<S> lane = s.lane;
    if (lane != null && lane.remove(s)) {
      SUBSCRIBER_COUNT.getAndAdd(this, -1);
    }
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
   * store). Versions may jump forward; a jump is visible to lossless subscribers as a gap.
   *
   * @return false if {@code next} is not newer than the current snapshot (nothing changed)
   * @throws StoreClosedException if the store is closed
   */
  boolean advance(Snapshot<S> next) {
    for (;;) {
      Node<S> current = head;
      if (current.terminal) {
        throw new StoreClosedException(name);
      }
      if (next.version() <= current.version) {
        return false;
      }
      Node<S> node = new Node<>(next, false, current, current.undo);
      if (HEAD.compareAndSet(this, current, node)) {
        // Successful CAS is the linearization point.
        published(current, node);
        return true;
      }
    }
  }

  @Override
  public StoreStats stats() {
    long version = head.version;
    long maxLag = 0;
    int count = 0;
    for (DeliveryLane<S> lane : lanes) {
      for (StoreSubscription<S> s : lane.subscriptions()) {
        count++;
        maxLag = Math.max(maxLag, s.losslessLag(version));
      }
    }
    return new StoreStats(version, casRetries.sum(), versionConflicts.sum(),
        validationRejections.sum(), count, maxLag, lagOverflows.sum());
  }

  @Override
  public boolean isClosed() {
    return head.terminal;
  }

  @Override
  public void close() {
    for (;;) {
      Node<S> current = head;
      if (current.terminal) {
        return;
      }
      Node<S> terminal =
          new Node<>(current.snapshot, true, current, current.undo);
      if (HEAD.compareAndSet(this, current, terminal)) {
        // Successful CAS is the linearization point of close.
        published(current, terminal);
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "AtomicStore{name=" + name + ", version=" + head.version
        + (head.terminal ? ", closed" : "") + "}";
  }
}
