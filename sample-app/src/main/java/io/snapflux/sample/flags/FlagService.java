package io.snapflux.sample.flags;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapflux.sample.web.ConditionalWrite;
import io.snapflux.sample.web.ConditionalWrite.Plan;
import io.snapflux.sample.web.ConditionalWrite.Written;
import io.snapflux.sample.web.Preconditions.IfMatch;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.springframework.stereotype.Service;

/**
 * The flag operations, as pure changes to the {@link AppState} store. Every method is
 * non-blocking (the store's update path is lock-free), so handlers call them on the event loop.
 */
@Service
public class FlagService {

  private final Store<AppState> store;

  FlagService(Store<AppState> store) {
    this.store = store;
  }

  /** The current snapshot. */
  public Snapshot<AppState> snapshot() {
    return store.snapshot();
  }

  /** The flag named {@code name} in {@code snapshot}, or 404. */
  public static Flag require(Snapshot<AppState> snapshot, String name) {
    return snapshot.state().flag(name).getOrElseThrow(() -> new FlagNotFoundException(name));
  }

  /**
   * Creates or replaces a flag.
   *
   * @return the committed snapshot, and whether the flag was created
   */
  public Written<AppState, Boolean> put(String name, JsonNode body, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    Flag flag = FlagJson.read(body);
    return ConditionalWrite.commit(store, ifMatch, current -> {
      boolean created = current.state().flag(name).isEmpty();
      Change cause = Change.of(created ? "create" : "replace", name, by);
      return new Plan<>(current.state().with(name, flag), cause, created);
    });
  }

  /** Applies a JSON Merge Patch (RFC 7396) to an existing flag. */
  public Written<AppState, Flag> patch(String name, JsonNode patch, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    return ConditionalWrite.commit(store, ifMatch, current -> {
      Flag patched = FlagJson.mergePatch(require(current, name), patch);
      return new Plan<>(current.state().with(name, patched), Change.of("patch", name, by), patched);
    });
  }

  /** Deletes an existing flag. */
  public Written<AppState, Flag> delete(String name, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    return ConditionalWrite.commit(store, ifMatch, current -> {
      Flag deleted = require(current, name);
      return new Plan<>(current.state().without(name), Change.of("delete", name, by), deleted);
    });
  }

  /** Evaluates the flag named {@code name} for {@code user}, at the current version. */
  public Rollout.Evaluation evaluate(String name, String user) {
    FlagJson.requireName(name);
    FlagJson.requireUser(user);
    return Rollout.evaluate(name, require(store.snapshot(), name), user);
  }
}
