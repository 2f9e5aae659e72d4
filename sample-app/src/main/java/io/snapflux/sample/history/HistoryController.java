package io.snapflux.sample.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.sample.flags.FlagJson;
import io.snapflux.sample.flags.InvalidFieldException;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.IfMatch;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.spring.web.VersionedJson;
import io.snapflux.store.HistoryCause;
import io.snapflux.store.AsyncHistory;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import io.vavr.collection.Seq;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.security.Principal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * Recent versions with their causes and per-flag diffs, from the store's own history ({@link
 * Store#history()}, {@code snapflux.stores.flags.history-size} versions), and undo ({@link
 * io.snapflux.store.History#undoIfVersion(long, Object)}, naming the user).
 */
@RestController
class HistoryController {

  private final Store<AppState> store;
  private final VersionedJson json;

  HistoryController(Store<AppState> store, SseOptions sseOptions) {
    this.json = VersionedJson.of(store, sseOptions.encoder());
    this.store = store;
  }

  /**
   * One version in the history.
   *
   * @param version the version
   * @param timestamp when it was committed
   * @param cause why it exists: a flag change ({@code action}, {@code flag}, {@code by}) or an
   *     {@code undo}/{@code redo} naming the versions involved; null for the initial state
   * @param changes what changed since the previous version; null when that one is no longer kept
   */
  record Entry(long version, Instant timestamp, @Nullable Object cause,
      @Nullable Seq<FlagChange> changes) {}

  /**
   * What happened to one flag between two versions.
   *
   * @param flag the flag's name
   * @param kind {@code added}, {@code removed} or {@code changed}
   * @param fields for {@code changed}, the fields whose values differ
   * @param before the flag before (absent when added)
   * @param after the flag after (absent when removed)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FlagChange(String flag, String kind, @Nullable Seq<String> fields,
      @Nullable ObjectNode before, @Nullable ObjectNode after) {}

  /**
   * The history response.
   *
   * @param version the store's current version
   * @param entries newest first
   */
  record History(long version, Seq<Entry> entries) {}

  @GetMapping("/api/history")
  History history(@RequestParam(defaultValue = "50") String limit) {
    int n;
    try {
      n = Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > 1000) {
      throw new InvalidFieldException("limit", "limit must be an integer from 1 to 1000");
    }
    // A store without the history capability (history-size 0) lists its current version.
    List<Snapshot<AppState>> oldestFirst = store.history().map(h -> h.versions())
        .orElseGet(() -> List.of(store.snapshot()));
    Seq<Entry> entries = oldestFirst.zipWithIndex().reverse().take(n).map(t -> entry(
        t._1(), t._2() == 0 ? null : oldestFirst.get(t._2() - 1)));
    return new History(oldestFirst.last().version(), entries);
  }

  /**
   * Reverts the newest change not yet undone, as a new version whose cause names the user ({@code
   * by}). With {@code If-Match}, refuses (412, nothing changed) unless the flags are still at a
   * version it names, so a user never undoes a change they have not seen: {@link
   * io.snapflux.store.AsyncHistory#undoIfVersion(long, Object)} checks the version in the same
   * compare-and-set that commits the undo. Without it, the newest change is undone (retried if
   * another write wins the race). 409 when there is nothing left to undo; 501 when the store keeps
   * no history. Non-blocking on every backend: the undo completes when the backend has
   * acknowledged it.
   */
  @PostMapping(path = "/api/undo", produces = "application/json")
  Mono<ResponseEntity<String>> undo(@RequestHeader HttpHeaders headers, Principal user) {
    IfMatch ifMatch = ConditionalRequests.ifMatch(headers);
    AsyncHistory<AppState> history = store.history()
        .orElseThrow(() -> new UndoUnavailableException(store.name()))
        .async();
    return ConditionalRequests.commitAsync(ifMatch, store,
            v -> undoIfVersion(history, v, user.getName()),
            ConditionalRequests.DEFAULT_MAX_ATTEMPTS)
        .map(undone -> ResponseEntity.ok().eTag(ConditionalRequests.eTag(store, undone))
            .body(json.document(store, undone)));
  }

  /** An undo at {@code version}; one that applies without a new version found nothing to undo. */
  private static Mono<Outcome<AppState>> undoIfVersion(
      AsyncHistory<AppState> history, long version, String by) {
    return history.undoIfVersion(version, by).flatMap(outcome ->
        outcome.applied() && outcome.snapshot().version() == version
            ? Mono.error(nothingToUndo())
            : Mono.just(outcome));
  }

  private static NothingToUndoException nothingToUndo() {
    return new NothingToUndoException(
        "Nothing to undo: every change the history keeps is already undone");
  }

  private static Entry entry(Snapshot<AppState> snapshot, @Nullable Snapshot<AppState> previous) {
    Seq<FlagChange> changes = snapshot.version() == 0 ? List.empty()
        : previous == null ? null
        : diff(previous.state(), snapshot.state());
    return new Entry(snapshot.version(), snapshot.timestamp(), cause(snapshot.cause()), changes);
  }

  private static @Nullable Object cause(@Nullable Object cause) {
    if (cause instanceof HistoryCause.Undo undo) {
      return withBy(HashMap.of("action", (Object) "undo", "undoneVersion", undo.undoneVersion(),
          "restoredVersion", undo.restoredVersion()), undo.by());
    }
    if (cause instanceof HistoryCause.Redo redo) {
      return withBy(HashMap.of("action", (Object) "redo", "restoredVersion",
          redo.restoredVersion()), redo.by());
    }
    return cause;
  }

  private static java.util.Map<String, Object> withBy(HashMap<String, Object> cause,
      @Nullable Object by) {
    return (by == null ? cause : cause.put("by", by)).toJavaMap();
  }

  static Seq<FlagChange> diff(AppState before, AppState after) {
    SortedMap<String, Flag> a = before.flags(), b = after.flags();
    return TreeSet.ofAll(a.keySet()).addAll(b.keySet()).toList().flatMap(name -> {
      Option<Flag> was = a.get(name), is = b.get(name);
      if (was.isEmpty()) {
        return Option.of(new FlagChange(name, "added", null, null, FlagJson.write(is.get())));
      }
      if (is.isEmpty()) {
        return Option.of(new FlagChange(name, "removed", null, FlagJson.write(was.get()), null));
      }
      Flag x = was.get(), y = is.get();
      if (x.equals(y)) {
        return Option.none();
      }
      Seq<String> fields = List.of(
              x.enabled() != y.enabled() ? "enabled" : null,
              x.rollout() != y.rollout() ? "rollout" : null,
              !x.allow().equals(y.allow()) ? "allow" : null,
              !x.description().equals(y.description()) ? "description" : null)
          .filter(f -> f != null);
      return Option.of(new FlagChange(name, "changed", fields, FlagJson.write(x),
          FlagJson.write(y)));
    });
  }
}
