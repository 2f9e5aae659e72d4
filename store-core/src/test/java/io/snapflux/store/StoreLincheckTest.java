package io.snapflux.store;

import io.vavr.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Linearizability of {@link AtomicStore} with Lincheck: every concurrent history of the operations
 * in {@link Operations} must be explainable by some sequential order of the same operations on a
 * fresh store (Lincheck's default sequential specification: {@link Operations} itself, run on one
 * thread). Model checking also checks obstruction freedom: an update running alone completes, so
 * the update path takes no lock and waits for no one.
 *
 * <p>The operations cover the whole write API: plain, result-returning ({@code getAndUpdate},
 * {@code modify}, {@code updateAndGet}) and version-checked ({@code compareAndSet}, {@code
 * updateIfVersion}) updates, reads and {@code close()}. A validator rejects states above {@link
 * #MAX}, so rejected updates are part of the histories too, as are updates that change nothing
 * (delta 0 returns the same instance) and updates after close ({@link StoreClosedException} is a
 * result like any other). Every result carries the version, so a lost, duplicated or reordered
 * version is a linearizability failure.
 *
 * <p>Small scenarios, few invocations, modelled on Caffeine's lincheck tests: the two strategies
 * together run in about half a minute on two cores. This test found updateIfVersion reporting a
 * conflict at the expected version (see docs/correctness.md).
 */
final class StoreLincheckTest {

  /** The validator's bound: updates past it are rejected. */
  static final int MAX = 3;

  @Test
  void modelChecking_allWriteOperations_areLinearizable() {
    new ModelCheckingOptions()
        .iterations(20)
        .invocationsPerIteration(300)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .checkObstructionFreedom(true)
        .check(Operations.class);
  }

  @Test
  void stress_allWriteOperations_areLinearizable() {
    new StressOptions()
        .iterations(20)
        .invocationsPerIteration(500)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .check(Operations.class);
  }

  @Test
  void modelChecking_historyUndoRedo_areLinearizable() {
    new ModelCheckingOptions()
        .iterations(12)
        .invocationsPerIteration(250)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .checkObstructionFreedom(true)
        .check(HistoryOperations.class);
  }

  @Test
  void stress_historyUndoRedo_areLinearizable() {
    new StressOptions()
        .iterations(8)
        .invocationsPerIteration(300)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .check(HistoryOperations.class);
  }

  /**
   * A store that keeps two versions of history: updates, undo, redo, {@code history()} and {@code
   * at(v)}, whose results list every version and state they saw. Found history() missing the
   * newest version under update ∥ undo, and at(v) empty while v was within history (its writer
   * was between its CAS and recording it).
   */
  @Param(name = "delta", gen = IntGen.class, conf = "1:2")
  @Param(name = "version", gen = LongGen.class, conf = "0:4")
  public static final class HistoryOperations {

    private final Store<Integer> store = Store.builder(0)
        .name("lincheck-history")
        .history(2)
        .deliverOn(Schedulers.immediate())
        .clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
        .build();

    @Operation
    public Operations.Seen update(@Param(name = "delta") int delta) {
      return Operations.Seen.of(store.update(s -> s + delta));
    }

    @Operation
    public Operations.Seen undo() {
      return Operations.Seen.of(store.history().orElseThrow().undo(null));
    }

    @Operation
    public Operations.Seen redo() {
      return Operations.Seen.of(store.history().orElseThrow().redo(null));
    }

    @Operation
    public Operations.Attempt undoIfVersion(@Param(name = "version") long version) {
      Outcome<Integer> o = store.history().orElseThrow().undoIfVersion(version, null);
      return new Operations.Attempt(o.applied(), Operations.Seen.of(o.snapshot()));
    }

    @Operation
    public java.util.List<Operations.Seen> history() {
      return store.history().orElseThrow().versions().map(Operations.Seen::of).toJavaList();
    }

    @Operation
    public Operations.@org.jspecify.annotations.Nullable Seen at(
        @Param(name = "version") long version) {
      return store.history().orElseThrow().at(version).map(Operations.Seen::of).orElse(null);
    }

    @Operation
    public boolean canUndo() {
      return store.history().orElseThrow().canUndo();
    }
  }

  /**
   * The operations Lincheck runs, on a fresh store per scenario. Public, unlike the test class,
   * because Lincheck instantiates it reflectively from its own package.
   */
  @Param(name = "delta", gen = IntGen.class, conf = "-1:2")
  @Param(name = "version", gen = LongGen.class, conf = "0:3")
  public static final class Operations {

    /**
     * No subscribers take part, so the delivery scheduler is never used; the immediate one keeps
     * Reactor's thread pools out of the model checker. A fixed clock keeps every run deterministic.
     */
    private final Store<Integer> store = Store.builder(0)
        .name("lincheck")
        .validator("state must be at most " + MAX, s -> s <= MAX)
        .deliverOn(Schedulers.immediate())
        .clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
        .build();

    /** What a snapshot is, for comparing histories: its version and its state. */
    record Seen(long version, int state) {
      static Seen of(Snapshot<Integer> s) {
        return new Seen(s.version(), s.state());
      }
    }

    /** An {@code updateIfVersion} outcome, for comparing histories. */
    record Attempt(boolean applied, Seen seen) {}

    /** The same instance back for 0: an update that changes nothing must commit nothing. */
    private static Integer add(Integer s, int delta) {
      return delta == 0 ? s : Integer.valueOf(s + delta);
    }

    @Operation
    public Seen update(@Param(name = "delta") int delta) {
      return Seen.of(store.update(s -> add(s, delta)));
    }

    @Operation
    public int updateAndGet(@Param(name = "delta") int delta) {
      return Stores.updateAndGet(store, s -> add(s, delta));
    }

    @Operation
    public int getAndUpdate(@Param(name = "delta") int delta) {
      return Stores.getAndUpdate(store, s -> add(s, delta));
    }

    @Operation
    public String modify(@Param(name = "delta") int delta) {
      return store.modify(s -> Tuple.of(add(s, delta), "was " + s));
    }

    @Operation
    public boolean compareAndSet(
        @Param(name = "version") long version, @Param(name = "delta") int state) {
      return store.compareAndSet(version, Integer.valueOf(state));
    }

    @Operation
    public Attempt updateIfVersion(
        @Param(name = "version") long version, @Param(name = "delta") int delta) {
      Outcome<Integer> o = store.updateIfVersion(version, s -> add(s, delta));
      return new Attempt(o.applied(), Seen.of(o.snapshot()));
    }

    @Operation
    public Seen snapshot() {
      return Seen.of(store.snapshot());
    }

    @Operation
    public boolean isClosed() {
      return store.isClosed();
    }

    @Operation
    public void close() {
      store.close();
    }
  }
}
