package io.snapflux.sample.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.sample.flags.FlagJson;
import io.snapflux.sample.flags.InvalidFieldException;
import io.snapflux.sample.web.ConditionalWrite.Written;
import io.snapflux.sample.web.Preconditions;
import io.snapflux.store.Snapshot;
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

/** Recent versions with their causes and per-flag diffs, and undo. */
@RestController
class HistoryController {

  private final HistoryLog history;
  private final UndoService undo;

  HistoryController(HistoryLog history, UndoService undo) {
    this.history = history;
    this.undo = undo;
  }

  /**
   * One version in the history.
   *
   * @param version the version
   * @param timestamp when it was committed
   * @param cause why it exists (a {@link io.snapflux.sample.flags.Change}); null for version 0
   * @param changes what changed since the previous version, or null when that one is no longer
   *     kept
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
   * @param version the store's version (the newest entry may trail it by a moment)
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
    if (n < 1 || n > HistoryLog.CAPACITY) {
      throw new InvalidFieldException(
          "limit", "limit must be an integer from 1 to " + HistoryLog.CAPACITY);
    }
    Seq<Snapshot<AppState>> recent = history.recent(n);
    long version = recent.isEmpty() ? 0 : recent.head().version();
    return new History(version, recent.map(this::entry));
  }

  @PostMapping("/api/undo")
  ResponseEntity<UndoResult> undo(@RequestHeader HttpHeaders headers, Principal user) {
    Written<AppState, Long> written = undo.undo(Preconditions.ifMatch(headers), user.getName());
    Snapshot<AppState> snapshot = written.snapshot();
    return ResponseEntity.ok()
        .eTag(Preconditions.etag(snapshot.version()))
        .body(new UndoResult(snapshot.version(), written.result(), snapshot.state()));
  }

  /**
   * What undo did.
   *
   * @param version the new version
   * @param reverted the version whose change was reverted
   * @param state the state now
   */
  record UndoResult(long version, long reverted, AppState state) {}

  private Entry entry(Snapshot<AppState> snapshot) {
    Seq<FlagChange> changes = snapshot.version() == 0
        ? List.empty()
        : history.at(snapshot.version() - 1).map(before -> diff(before.state(), snapshot.state()))
            .getOrNull();
    return new Entry(snapshot.version(), snapshot.timestamp(), snapshot.cause(), changes);
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
      if (was.get().equals(is.get())) {
        return Option.none();
      }
      Flag x = was.get(), y = is.get();
      Seq<String> fields = List.<String>empty()
          .appendAll(x.enabled() != y.enabled() ? List.of("enabled") : List.empty())
          .appendAll(x.rollout() != y.rollout() ? List.of("rollout") : List.empty())
          .appendAll(!x.allow().equals(y.allow()) ? List.of("allow") : List.empty())
          .appendAll(!x.description().equals(y.description()) ? List.of("description")
              : List.empty());
      return Option.of(new FlagChange(name, "changed", fields, FlagJson.write(x),
          FlagJson.write(y)));
    });
  }
}
