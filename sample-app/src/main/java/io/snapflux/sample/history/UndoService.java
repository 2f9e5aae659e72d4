package io.snapflux.sample.history;

import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Change;
import io.snapflux.sample.web.ConditionalWrite;
import io.snapflux.sample.web.ConditionalWrite.Plan;
import io.snapflux.sample.web.ConditionalWrite.Written;
import io.snapflux.sample.web.Preconditions.IfMatch;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.springframework.stereotype.Service;

/**
 * Multi-level undo over the history log. Undo never rewrites history: it commits a new version
 * whose state is the one before the change it reverts, with {@link Change#undo} as its cause.
 *
 * <p>Which change to revert: the newest version's, unless that version is itself an undo; an undo
 * that reverted change {@code r} left the state of version {@code r - 1}, so the next undo
 * continues from there. Undoing three times after three edits therefore returns to the state
 * before all three, as in an editor.
 */
@Service
public class UndoService {

  private final Store<AppState> store;
  private final HistoryLog history;

  UndoService(Store<AppState> store, HistoryLog history) {
    this.store = store;
    this.history = history;
  }

  /**
   * Reverts the newest change not yet undone.
   *
   * @return the committed snapshot and the version whose change was reverted
   * @throws NothingToUndoException if every change is undone or is older than the history
   */
  public Written<AppState, Long> undo(IfMatch ifMatch, String by) {
    return ConditionalWrite.commit(store, ifMatch, current -> {
      long reverted = effectiveVersion(current);
      if (reverted == 0) {
        throw new NothingToUndoException("Nothing to undo: the flags are at their initial state");
      }
      Snapshot<AppState> before = find(reverted - 1);
      return new Plan<>(before.state(), Change.undo(reverted, by), reverted);
    });
  }

  /** The version whose state {@code snapshot} holds, following undos back to a real change. */
  private long effectiveVersion(Snapshot<AppState> snapshot) {
    Snapshot<AppState> s = snapshot;
    while (s.cause() instanceof Change change && change.isUndo()) {
      s = find(change.reverts() - 1);
    }
    return s.version();
  }

  private Snapshot<AppState> find(long version) {
    return history.at(version).getOrElseThrow(() -> new NothingToUndoException(
        "Cannot undo further: version " + version + " is older than the history keeps"));
  }
}
