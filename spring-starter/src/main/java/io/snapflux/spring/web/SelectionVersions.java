package io.snapflux.spring.web;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Function;

/**
 * Per-entity validators (protocol rule R7): the version at which a selection of the state last
 * changed, e.g. one flag of a map of flags. Its token is the entity's {@code ETag}; a conditional
 * write of the entity ({@link ConditionalRequests#modifyEntity}) conflicts only when the entity
 * itself changed, not when another part of the state did.
 *
 * <pre>{@code
 * Snapshot<AppState> snapshot = store.snapshot();
 * VersionToken eTag = SelectionVersions.lastChanged(store, snapshot, s -> s.flag(name));
 * }</pre>
 *
 * <p>Derived, not counted: the selector is applied to the consecutive versions of {@link
 * Store#history()} going back from the snapshot, and the answer is the oldest version of the run
 * in which the selected value ({@code equals}) is the snapshot's. Nothing is kept between calls,
 * so memory is bounded by the store's own history and the work by its size. When the history
 * does not reach back to the change (a short or no history), the answer is the oldest version
 * still there with the same value: later than the true change, never earlier, so a validator may
 * move without a change (a needless 412, a needless 200) but never stays put across one (a lost
 * update).
 */
public final class SelectionVersions {

  private SelectionVersions() {}

  /**
   * The token of the version at which {@code selector} of the state last changed, as of {@code
   * snapshot}.
   *
   * @param store the store
   * @param snapshot a snapshot of the store, usually the current one
   * @param selector a pure function of the state; its results are compared with {@code equals}
   * @param <S> the type of the state
   * @return the token of the version, at most {@code snapshot}'s
   */
  public static <S> VersionToken lastChanged(
      Store<S> store, Snapshot<S> snapshot, Function<? super S, ?> selector) {
    Objects.requireNonNull(selector, "selector");
    Object value = selector.apply(snapshot.state());
    long changed = snapshot.version();
    // history() is oldest first; walk it newest first.
    Iterator<Snapshot<S>> newestFirst = store.history().reverseIterator();
    while (newestFirst.hasNext()) {
      Snapshot<S> s = newestFirst.next();
      if (s.version() >= changed) {
        continue;
      }
      if (s.version() != changed - 1 || !Objects.equals(selector.apply(s.state()), value)) {
        break;
      }
      changed = s.version();
    }
    return new VersionToken(VersionToken.of(snapshot, store).epoch(), changed);
  }
}
