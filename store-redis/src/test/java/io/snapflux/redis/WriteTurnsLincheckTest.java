package io.snapflux.redis;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@link WriteTurns} under Lincheck's model checker, which explores thread interleavings
 * instruction by instruction: races a stress test hits once in millions of runs, such as a cancel
 * landing between a turn's grant and the held flag.
 *
 * <p>Every operation ends each turn it causes: a granted turn is released by its taker, a
 * cancelled or expired one gives up or ends. Once all operations have returned, no turn may be
 * held ({@link Operations#noTurnHeld()}, run after every scenario): a turn left held with no
 * holder is a lost release, after which every later write of the store would wait out its
 * timeout. The operations return nothing, so any interleaving is linearizable; only the
 * validation can fail.
 */
final class WriteTurnsLincheckTest {

  @Test
  void modelChecking_takeReleaseCancelExpire_neverLoseTheTurn() {
    new ModelCheckingOptions()
        .iterations(30)
        .invocationsPerIteration(300)
        .threads(2)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(Operations.class);
  }

  /**
   * Two takers that cancel as they take, the smallest scenario in which a cancel can land between
   * a turn's grant and its delivery (the drain runs on one taker's thread, granting the other's
   * turn): explored far more often than the mixed scenarios can afford.
   */
  @Test
  void modelChecking_cancelRacingTheGrant_neverLosesTheTurn() {
    new ModelCheckingOptions()
        .iterations(1)
        .invocationsPerIteration(3_000)
        .threads(2)
        .actorsPerThread(1)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(CancelRace.class);
  }

  /** {@link Operations#takeAndCancel()} alone. */
  public static final class CancelRace {

    private final Operations turns = new Operations();

    @Operation
    public void takeAndCancel() {
      turns.takeAndCancel();
    }

    @Validate
    public void noTurnHeld() {
      turns.noTurnHeld();
    }
  }

  /** The operations, on one {@link WriteTurns}. */
  public static final class Operations {

    private final WriteTurns turns = new WriteTurns();

    private static IllegalStateException expired() {
      return new IllegalStateException("expired");
    }

    /** Takes a turn and releases it when granted, at once or later on the releasing thread. */
    @Operation
    public void takeAndRelease() {
      turns.take(Mono.never(), Operations::expired).subscribe(Operations::claimAndRelease);
    }

    /**
     * Takes a turn, releasing it when granted (as a write does when it ends), and cancels at once:
     * gives up waiting, or ends the turn if it is being granted just then.
     */
    @Operation
    public void takeAndCancel() {
      Disposable d = turns.take(Mono.never(), Operations::expired)
          .subscribe(Operations::claimAndRelease, e -> { });
      d.dispose();
    }

    /**
     * Takes a turn, releasing it when granted, whose timeout fires at once: fails waiting, or
     * changes nothing if granted already.
     */
    @Operation
    public void takeAndExpire() {
      Sinks.One<Long> tick = Sinks.one();
      turns.take(tick.asMono(), Operations::expired).subscribe(Operations::claimAndRelease, e -> { });
      tick.tryEmitValue(1L);
    }

    /** What a write does with its turn: claims it, runs, releases it. */
    private static void claimAndRelease(WriteTurns.Turn turn) {
      if (turn.claim()) {
        turn.release();
      }
    }

    /** Takes a turn and drops it unclaimed, as a subscriber cancelled during the delivery does. */
    @Operation
    public void takeAndDrop() {
      turns.take(Mono.never(), Operations::expired).subscribe(turn -> { });
    }

    /** After every scenario: all turns have ended, and the next taker is granted at once. */
    @Validate
    public void noTurnHeld() {
      if (turns.isHeld()) {
        throw new IllegalStateException("a turn is held after every taker ended its own");
      }
      boolean[] granted = {false};
      turns.take(Mono.never(), Operations::expired).subscribe(turn -> granted[0] = true);
      if (!granted[0]) {
        throw new IllegalStateException("a taker waits although no turn is held");
      }
    }
  }
}
