package io.snapflux.spring.inspector;

import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.spring.web.VersionedJson;
import io.snapflux.store.History;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the inspector's API answers, computed from the stores: descriptions, version entries,
 * states, diffs, exports, and the plans of restore and revert. No HTTP here ({@link
 * InspectorHandler} maps requests onto it); every problem is an {@link InspectorProblem}.
 *
 * <pre>
 * Implementation notes.
 *
 * JSON. Every tree and every patch comes from the store's shared VersionedJson (the application's
 * mapper), so the inspector, the SSE streams and GET /api/state of an application encode a
 * version once, and the inspector's diffs are the very operations the patch events carry (one
 * diff, zjsonpatch's). Answers are built as trees so that the application's inclusion settings
 * (non_null, say) cannot drop the members the API promises as null.
 *
 * Revert. Reverting version v applies the inverse of v's change (the patch from the state at v
 * to the state at v-1) to the current state. It is refused (409) when a later version touched a
 * path v changed: the same pointer, an ancestor or a descendant. Arrays need one more rule,
 * because an insertion or removal moves every later element: a change that inserts into, removes
 * from or moves within an array conflicts with every change inside that array, in either
 * direction. Anything less would let the inverse land on the wrong element. The rule is
 * conservative (two edits of different elements of an array whose length changed are refused).
 *
 * Decoding. A reverted state is JSON; it becomes a state again with the application's mapper and
 * the store's declared type (StoreFactory.stateType, what the file and Redis backends decode
 * with), else the runtime class of the current state when it has no type parameters. A restore
 * commits the kept state object itself: nothing to decode.
 *
 * Invariants (and the tests that check them):
 *  1. A revert or restore commits one version or nothing, never a partial change; a refused one
 *     changes nothing. (InspectorApiTest.revert_laterVersionTouchedThePath_409NamingPathsAndNothingCommitted,
 *     InspectorApiTest.restore_staleIfMatch_412NamingCurrentAndNothingCommitted,
 *     InspectorApiTest.concurrentRestores_sameIfMatch_exactlyOneCommits)
 *  2. Conflicts are found for the same path, a parent, a child, and array shifts.
 *     (InspectorRevertTest, InspectorApiTest.revert_*_409*)
 *  3. Nothing blocks an event loop: writes go through store.async() (a SYNC file store's
 *     synchronous write would refuse the event loop). (FileBackendInspectorTest in snapflux-file)
 * </pre>
 */
final class Inspector {

  /** The cause members of inspector commits. */
  static final String CAUSE_KEY = "inspector";

  private final StoreFactory factory;
  private final Supplier<Map<String, Store<?>>> otherStores;
  private final ObjectMapper mapper;

  /**
   * @param factory the application's store factory
   * @param otherStores store beans not created by the factory, by name (asked on every call)
   * @param mapper the application's mapper: encodes states (shared with the SSE streams) and
   *     decodes reverted ones
   */
  Inspector(StoreFactory factory, Supplier<Map<String, Store<?>>> otherStores,
      ObjectMapper mapper) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.otherStores = Objects.requireNonNull(otherStores, "otherStores");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** Every store: the factory's, in creation order, then other store beans. */
  Map<String, Store<?>> stores() {
    Map<String, Store<?>> all = new LinkedHashMap<>(factory.stores());
    otherStores.get().forEach(all::putIfAbsent);
    return all;
  }

  Store<?> store(String name) {
    Store<?> store = stores().get(name);
    if (store == null) {
      throw InspectorProblem.noStore(name);
    }
    return store;
  }

  private String backend(Store<?> store) {
    return factory.stores().get(store.name()) == store ? factory.backend().id() : "unmanaged";
  }

  VersionedJson json(Store<?> store) {
    return VersionedJson.of(store, mapper);
  }

  // ---------------------------------------------------------------- reads

  ObjectNode info(Store<?> store) {
    Snapshot<?> current = store.snapshot();
    VersionToken token = VersionToken.of(current, store);
    ObjectNode info = mapper.createObjectNode();
    info.put("name", store.name());
    info.put("backend", backend(store));
    info.put("epoch", token.epoch());
    info.put("version", current.version());
    info.put("token", token.toString());
    var history = store.history();
    info.put("history", history.isPresent());
    info.put("historySize", history.map(h -> h.versions().size()).orElse(0));
    var stats = store.stats();
    ObjectNode subscribers = info.putObject("subscribers");
    subscribers.put("conflated", stats.subscribers() - stats.losslessSubscribers());
    subscribers.put("lossless", stats.losslessSubscribers());
    info.set("stats", mapper.valueToTree(stats));
    info.put("closed", store.isClosed());
    if (current.version() == 0) {
      info.putNull("lastChange");
    } else {
      info.put("lastChange", current.timestamp().toString());
    }
    return info;
  }

  ArrayNode infos() {
    ArrayNode all = mapper.createArrayNode();
    stores().values().forEach(s -> all.add(info(s)));
    return all;
  }

  /** The kept versions, oldest first: the history's, or only the current one. */
  static <S> List<Snapshot<S>> kept(Store<S> store) {
    return store.history().map(h -> h.versions().asJava())
        .orElseGet(() -> List.of(store.snapshot()));
  }

  /**
   * The snapshot at {@code version}: the current one, or one the history keeps.
   *
   * @throws InspectorProblem 404 for a version the store has not reached, 410 for one it no
   *     longer keeps
   */
  static <S> Snapshot<S> at(Store<S> store, long version) {
    Snapshot<S> current = store.snapshot();
    if (version == current.version()) {
      return current;
    }
    if (version > current.version() || version < 0) {
      throw InspectorProblem.noVersion(store.name(), version, current.version());
    }
    var history = store.history();
    if (history.isPresent()) {
      var found = history.get().at(version);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw InspectorProblem.gone(store.name(), version, oldest(store));
  }

  private static long oldest(Store<?> store) {
    return store.history().map(h -> h.versions().head().version())
        .orElseGet(() -> store.snapshot().version());
  }

  <S> ObjectNode versions(Store<S> store, @Nullable Long after, int limit) {
    List<Snapshot<S>> kept = kept(store);
    int from;
    if (after == null) {
      from = Math.max(0, kept.size() - limit);
    } else {
      from = kept.size();
      for (int i = 0; i < kept.size(); i++) {
        if (kept.get(i).version() > after) {
          from = i;
          break;
        }
      }
    }
    int to = Math.min(kept.size(), from + limit);
    Snapshot<S> newest = kept.get(kept.size() - 1);
    ObjectNode answer = mapper.createObjectNode();
    answer.put("store", store.name());
    answer.put("token", VersionToken.of(newest, store).toString());
    ArrayNode entries = answer.putArray("entries");
    VersionedJson json = json(store);
    for (int i = from; i < to; i++) {
      Snapshot<S> s = kept.get(i);
      Snapshot<S> previous = i > 0 ? kept.get(i - 1) : null;
      entries.add(entry(store, json, s,
          previous != null && previous.version() == s.version() - 1 ? previous : null));
    }
    return answer;
  }

  private ObjectNode entry(Store<?> store, VersionedJson json, Snapshot<?> s,
      @Nullable Snapshot<?> previous) {
    ObjectNode entry = mapper.createObjectNode();
    entry.put("version", s.version());
    entry.put("token", VersionToken.of(s, store).toString());
    entry.put("time", s.timestamp().toString());
    JsonNode cause = json.cause(s);
    entry.set("cause", cause == null ? entry.nullNode() : cause);
    String text = causeText(cause);
    if (text == null) {
      entry.putNull("causeText");
    } else {
      entry.put("causeText", text);
    }
    String author = author(cause);
    if (author == null) {
      entry.putNull("author");
    } else {
      entry.put("author", author);
    }
    entry.set("changes", previous == null ? entry.nullNode() : json.diff(store, previous, s));
    return entry;
  }

  /** A short readable form of a cause: its text, or its scalar members as {@code k=v}. */
  static @Nullable String causeText(@Nullable JsonNode cause) {
    if (cause == null || cause.isNull()) {
      return null;
    }
    String text;
    if (cause.isString()) {
      text = cause.asString();
    } else if (cause.isObject()) {
      StringBuilder b = new StringBuilder();
      for (var member : cause.properties()) {
        JsonNode value = member.getValue();
        if (value.isValueNode() && !value.isNull()) {
          if (!b.isEmpty()) {
            b.append(' ');
          }
          b.append(member.getKey()).append('=').append(value.asString());
        }
      }
      text = b.isEmpty() ? cause.toString() : b.toString();
    } else {
      text = cause.toString();
    }
    return text.length() > 200 ? text.substring(0, 199) + "…" : text;
  }

  /** Who made a change, where the cause says: its {@code by}, {@code author} or {@code user}. */
  static @Nullable String author(@Nullable JsonNode cause) {
    if (cause == null || !cause.isObject()) {
      return null;
    }
    for (String name : List.of("by", "author", "user")) {
      JsonNode value = cause.get(name);
      if (value != null && value.isString()) {
        return value.asString();
      }
    }
    return null;
  }

  <S> ObjectNode state(Store<S> store, Snapshot<S> snapshot) {
    ObjectNode answer = mapper.createObjectNode();
    answer.put("version", snapshot.version());
    answer.put("token", VersionToken.of(snapshot, store).toString());
    answer.set("state", json(store).tree(store, snapshot));
    return answer;
  }

  <S> ObjectNode diff(Store<S> store, long from, long to) {
    Snapshot<S> a = at(store, from);
    Snapshot<S> b = at(store, to);
    ObjectNode answer = mapper.createObjectNode();
    answer.put("from", from);
    answer.put("to", to);
    answer.set("patch", json(store).diff(store, a, b));
    return answer;
  }

  <S> ObjectNode export(Store<S> store, @Nullable Long fromParam, @Nullable Long toParam) {
    Snapshot<S> current = store.snapshot();
    long from = fromParam != null ? fromParam : oldest(store);
    long to = toParam != null ? toParam : current.version();
    if (from > to) {
      throw InspectorProblem.badRequest("from (" + from + ") must not be after to (" + to + ")");
    }
    Snapshot<S> base = at(store, from);
    List<Snapshot<S>> slice = new ArrayList<>();
    for (long v = from + 1; v <= to; v++) {
      slice.add(at(store, v));
    }
    VersionedJson json = json(store);
    ObjectNode export = mapper.createObjectNode();
    export.put("format", "snapflux-history/1");
    export.put("store", store.name());
    export.put("epoch", VersionToken.of(base, store).epoch());
    export.put("from", from);
    export.put("to", to);
    export.set("base", json.tree(store, base));
    ArrayNode versions = export.putArray("versions");
    Snapshot<S> previous = base;
    for (Snapshot<S> s : slice) {
      ObjectNode v = versions.addObject();
      v.put("version", s.version());
      v.put("time", s.timestamp().toString());
      JsonNode cause = json.cause(s);
      v.set("cause", cause == null ? v.nullNode() : cause);
      v.set("patch", json.diff(store, previous, s));
      previous = s;
    }
    return export;
  }

  // ---------------------------------------------------------------- writes

  /** What a restore or revert commits. */
  record Plan<S>(S state, Map<String, @Nullable Object> cause) {}

  static Map<String, @Nullable Object> cause(String action, long version, @Nullable String by) {
    Map<String, @Nullable Object> cause = new LinkedHashMap<>();
    cause.put(CAUSE_KEY, action);
    cause.put("version", version);
    cause.put("by", by);
    return cause;
  }

  /** Restore: the state kept at {@code version}, as it is (no decoding). */
  <S> Plan<S> restore(Store<S> store, long version, @Nullable String by) {
    return new Plan<>(at(store, version).state(), cause("restore", version, by));
  }

  /**
   * Revert: the inverse of {@code version}'s change applied to {@code current}.
   *
   * @throws InspectorProblem 409 naming the conflicting paths, 410 if {@code version} or its
   *     predecessor is no longer kept, 400 for version 0
   */
  <S> Plan<S> revert(Store<S> store, Snapshot<S> current, long version, @Nullable String by) {
    if (version == 0) {
      throw InspectorProblem.badRequest("version 0 is the initial state of store '"
          + store.name() + "': it made no change to revert");
    }
    if (version > current.version() || version < 0) {
      throw InspectorProblem.noVersion(store.name(), version, current.version());
    }
    History<S> history = store.history().orElseThrow(
        () -> InspectorProblem.gone(store.name(), version - 1, current.version()));
    Snapshot<S> before = kept(store, history, version - 1);
    Snapshot<S> after = kept(store, history, version);
    List<Snapshot<S>> later = new ArrayList<>();
    for (long v = version + 1; v < current.version(); v++) {
      later.add(kept(store, history, v));
    }
    if (version < current.version()) {
      later.add(current);
    }
    VersionedJson json = json(store);
    JsonNode forward = json.diff(store, before, after);
    Map<String, @Nullable Object> cause = cause("revert", version, by);
    if (forward.isEmpty()) {
      return new Plan<>(current.state(), cause);
    }
    JsonNode inverse = json.diff(store, after, before);
    List<Touch> changed = new ArrayList<>();
    touches(forward, changed, json.tree(store, before), json.tree(store, after));
    touches(inverse, changed, json.tree(store, after), json.tree(store, before));

    TreeSet<String> paths = new TreeSet<>();
    List<Map<String, Object>> conflicts = new ArrayList<>();
    Snapshot<S> previous = after;
    for (Snapshot<S> s : later) {
      List<Touch> touched = new ArrayList<>();
      touches(json.diff(store, previous, s), touched, json.tree(store, previous),
          json.tree(store, s));
      for (Touch p : changed) {
        for (Touch q : touched) {
          if (p.conflictsWith(q)) {
            paths.add(p.path());
            conflicts.add(Map.of("path", p.path(), "version", s.version(), "changed", q.path()));
          }
        }
      }
      previous = s;
    }
    if (!paths.isEmpty()) {
      throw InspectorProblem.conflict(store.name(), version, List.copyOf(paths),
          dedupe(conflicts));
    }
    JsonNode reverted;
    try {
      reverted = Jackson3JsonPatch.apply(inverse, json.tree(store, current).deepCopy());
    } catch (JsonPatchApplicationException e) {
      // Not expected once no later version touched the paths; refuse rather than guess.
      TreeSet<String> all = new TreeSet<>();
      changed.forEach(t -> all.add(t.path()));
      throw InspectorProblem.conflict(store.name(), version, List.copyOf(all), List.of());
    }
    return new Plan<>(decode(store, reverted), cause);
  }

  private static List<Map<String, Object>> dedupe(List<Map<String, Object>> conflicts) {
    return List.copyOf(new java.util.LinkedHashSet<>(conflicts));
  }

  private static <S> Snapshot<S> kept(Store<S> store, History<S> history, long version) {
    return history.at(version).orElseThrow(
        () -> InspectorProblem.gone(store.name(), version, oldest(store)));
  }

  @SuppressWarnings("unchecked")
  <S> S decode(Store<S> store, JsonNode tree) {
    Type type = factory.stateType(store.name()).map(TypeRef::type).orElse(null);
    if (type == null) {
      Class<?> runtime = store.snapshot().state().getClass();
      if (runtime.getTypeParameters().length > 0) {
        throw InspectorProblem.unprocessable(store.name(), "The state type of store '"
            + store.name() + "' is unknown (a " + runtime.getName() + " outside the "
            + "StoreFactory), so a reverted state cannot be decoded");
      }
      type = runtime;
    }
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    try {
      return (S) mapper.readerFor(javaType).readValue(tree);
    } catch (JacksonException e) {
      throw InspectorProblem.unprocessable(store.name(), "The reverted state of store '"
          + store.name() + "' does not decode as " + type.getTypeName() + ": "
          + e.getOriginalMessage());
    }
  }

  // ---------------------------------------------------------------- conflicts

  /**
   * A path an operation wrote, and the array it shifts, if it inserts into, removes from or moves
   * within an array ({@code null} otherwise).
   */
  record Touch(String path, List<String> segments, @Nullable List<String> shiftedArray) {

    boolean conflictsWith(Touch other) {
      return prefix(segments, other.segments) || prefix(other.segments, segments)
          || inside(other.segments, shiftedArray) || inside(segments, other.shiftedArray);
    }

    private static boolean prefix(List<String> a, List<String> b) {
      return a.size() <= b.size() && b.subList(0, a.size()).equals(a);
    }

    private static boolean inside(List<String> path, @Nullable List<String> array) {
      return array != null && path.size() > array.size()
          && path.subList(0, array.size()).equals(array);
    }
  }

  /** The touches of every operation of {@code patch}, applied to {@code from} giving {@code to}. */
  static void touches(JsonNode patch, List<Touch> into, JsonNode from, JsonNode to) {
    for (JsonNode op : patch) {
      String kind = op.path("op").asString();
      boolean shifts = kind.equals("add") || kind.equals("remove") || kind.equals("move");
      into.add(touch(op.path("path").asString(), shifts, from, to));
      if (kind.equals("move")) {
        into.add(touch(op.path("from").asString(), true, from, to));
      }
    }
  }

  private static Touch touch(String pointer, boolean shifts, JsonNode from, JsonNode to) {
    List<String> segments = segments(pointer);
    List<String> array = null;
    if (shifts && !segments.isEmpty()) {
      List<String> parent = segments.subList(0, segments.size() - 1);
      String parentPointer = pointer.substring(0, pointer.lastIndexOf('/'));
      JsonPointer p = JsonPointer.compile(parentPointer);
      if (from.at(p).isArray() || to.at(p).isArray()) {
        array = List.copyOf(parent);
      }
    }
    return new Touch(pointer, segments, array);
  }

  /** The unescaped reference tokens of an RFC 6901 pointer. */
  static List<String> segments(String pointer) {
    if (pointer.isEmpty()) {
      return List.of();
    }
    if (pointer.charAt(0) != '/') {
      throw new IllegalArgumentException("not a JSON Pointer: " + pointer);
    }
    List<String> segments = new ArrayList<>();
    for (String token : pointer.substring(1).split("/", -1)) {
      segments.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return List.copyOf(segments);
  }
}
