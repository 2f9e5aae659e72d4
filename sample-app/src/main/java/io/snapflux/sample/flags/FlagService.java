package io.snapflux.sample.flags;

import io.snapflux.spring.web.ConditionalRequests.Plan;
import io.snapflux.spring.web.ConditionalRequests.Written;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.IfMatch;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * The flag operations, as pure changes to the {@link AppState} store. Every method is
 * non-blocking (the store's update path is lock-free), so handlers call them on the event loop.
 *
 * <p>Writes go through the starter's {@link ConditionalRequests#modify}: each is planned on one
 * state and committed only at that state's version, so the recorded cause (create or replace)
 * and the result (201 or 200) are exactly what was committed, and a stale {@code If-Match} is a
 * 412 with nothing changed.
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

  /** The flag named {@code name} in {@code state}, or 404. */
  public static Flag require(AppState state, String name) {
    return state.flag(name).getOrElseThrow(() -> new FlagNotFoundException(name));
  }

  /**
   * Creates or replaces a flag. {@code If-Match: *} means "only if the flag exists" (RFC 9110
   * §13.1.1), so it refuses to create one with 412.
   *
   * @return the committed snapshot, and whether the flag was created
   */
  public Written<AppState, Boolean> put(String name, JsonNode body, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    Flag flag = FlagJson.read(body);
    return ConditionalRequests.modify(ifMatch, store, state -> {
      boolean created = state.flag(name).isEmpty();
      if (created && ifMatch.isAny()) {
        throw new PreconditionFailedException(
            store.name(), store.snapshot().version(), "* (an existing flag '" + name + "')");
      }
      Change cause = Change.of(created ? "create" : "replace", name, by);
      return new Plan<>(state.with(name, flag), cause, created);
    });
  }

  /** Applies a JSON Merge Patch (RFC 7396) to an existing flag. */
  public Written<AppState, Flag> patch(String name, JsonNode patch, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    return ConditionalRequests.modify(ifMatch, store, state -> {
      Flag patched = FlagJson.mergePatch(require(state, name), patch);
      return new Plan<>(state.with(name, patched), Change.of("patch", name, by), patched);
    });
  }

  /** Deletes an existing flag. */
  public Written<AppState, Flag> delete(String name, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    return ConditionalRequests.modify(ifMatch, store, state -> {
      Flag deleted = require(state, name);
      return new Plan<>(state.without(name), Change.of("delete", name, by), deleted);
    });
  }

  /** Evaluates the flag named {@code name} for {@code user}, at the current version. */
  public Rollout.Evaluation evaluate(String name, String user) {
    FlagJson.requireName(name);
    FlagJson.requireUser(user);
    return Rollout.evaluate(name, require(store.snapshot().state(), name), user);
  }
}
