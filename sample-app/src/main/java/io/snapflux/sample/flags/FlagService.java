package io.snapflux.sample.flags;

import io.snapflux.spring.web.ConditionalRequests.Plan;
import io.snapflux.spring.web.ConditionalRequests.Written;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.IfMatch;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.spring.web.SelectionVersions;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.control.Option;
import java.util.function.Function;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The flag operations, as pure changes to the {@link AppState} store. Every method is
 * non-blocking on every backend, so handlers call them on the event loop: reads take the store's
 * current snapshot, and writes return a {@link Mono} that completes when the backend has
 * acknowledged the commit (memory at once, file when durable, Redis on its round trip).
 *
 * <p>Writes go through the starter's {@link ConditionalRequests#modifyEntityAsync}: each is planned on
 * one state and committed only at that state's version, so the recorded cause (create or replace)
 * and the result (201 or 200) are exactly what was committed. A flag's validator is the version
 * at which that flag last changed ({@link #eTag}), so {@code If-Match} is stale (412, nothing
 * changed) only when the flag itself changed since, not when another flag did.
 */
@Service
public class FlagService {

  private final Store<AppState> store;

  FlagService(Store<AppState> store) {
    this.store = store;
  }

  /**
   * How many plans a write makes at most when other writes keep committing first; after that
   * it fails (500) and commits nothing.
   */
  static final int MAX_ATTEMPTS = ConditionalRequests.DEFAULT_MAX_ATTEMPTS;

  /** The store. */
  public Store<AppState> store() {
    return store;
  }

  /** The current snapshot. */
  public Snapshot<AppState> snapshot() {
    return store.snapshot();
  }

  /** Selects the flag named {@code name} (none if absent): what a flag's validator follows. */
  static Function<AppState, Option<Flag>> flag(String name) {
    return state -> state.flag(name);
  }

  /** The validator of the flag named {@code name} as of {@code snapshot}. */
  public VersionToken eTag(Snapshot<AppState> snapshot, String name) {
    return SelectionVersions.lastChanged(store, snapshot, flag(name));
  }

  /** The flag named {@code name} in {@code state}, or 404. */
  public static Flag require(AppState state, String name) {
    return state.flag(name).getOrElseThrow(() -> new FlagNotFoundException(name));
  }

  /**
   * Creates or replaces a flag. {@code If-Match: *} means "only if the flag exists" (RFC 9110
   * §13.1.1), so it refuses to create one with 412.
   *
   * @return the committed snapshot, and whether the flag was created (lazy; completes when the
   *     backend has acknowledged the commit)
   */
  public Mono<Written<AppState, Boolean>> put(String name, JsonNode body, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    Flag flag = FlagJson.read(body);
    return ConditionalRequests.modifyEntityAsync(ifMatch, store, flag(name), state -> {
      boolean created = state.flag(name).isEmpty();
      if (created && ifMatch.isAny()) {
        throw new PreconditionFailedException(
            store.name(), eTag(store.snapshot(), name), "* (an existing flag '" + name + "')");
      }
      Change cause = Change.of(created ? "create" : "replace", name, by);
      return new Plan<>(state.with(name, flag), cause, created);
    }, MAX_ATTEMPTS);
  }

  /** Applies a JSON Merge Patch (RFC 7396) to an existing flag. */
  public Mono<Written<AppState, Flag>> patch(String name, JsonNode patch, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    return ConditionalRequests.modifyEntityAsync(ifMatch, store, flag(name), state -> {
      Flag patched = FlagJson.mergePatch(require(state, name), patch);
      return new Plan<>(state.with(name, patched), Change.of("patch", name, by), patched);
    }, MAX_ATTEMPTS);
  }

  /** Deletes an existing flag. */
  public Mono<Written<AppState, Flag>> delete(String name, IfMatch ifMatch, String by) {
    FlagJson.requireName(name);
    return ConditionalRequests.modifyEntityAsync(ifMatch, store, flag(name), state -> {
      Flag deleted = require(state, name);
      return new Plan<>(state.without(name), Change.of("delete", name, by), deleted);
    }, MAX_ATTEMPTS);
  }

  /** Evaluates the flag named {@code name} for {@code user}, at the current version. */
  public Rollout.Evaluation evaluate(String name, String user) {
    FlagJson.requireName(name);
    FlagJson.requireUser(user);
    return Rollout.evaluate(name, require(store.snapshot().state(), name), user);
  }
}
