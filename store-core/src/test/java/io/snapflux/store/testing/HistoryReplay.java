package io.snapflux.store.testing;

import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Replays a history slice exported by the Snapflux Inspector ({@code GET
 * /snapflux/inspector/api/stores/{name}/export}, format {@value #FORMAT}) against a fresh store,
 * so that a bug report can carry the exact sequence of changes and a test can reproduce it.
 *
 * <pre>{@code
 * HistoryReplay replay = HistoryReplay.read(Path.of("flags-10-42.json"), mapper);
 * TypeRef<AppState> type = TypeRef.of(AppState.class);
 * Store<AppState> store = Store.of(replay.base(type));
 * Snapshot<AppState> last = replay.replay(store, type);   // versions 1..32, one per exported one
 * }</pre>
 *
 * <p>Each exported version is applied as one ordinary update, its cause the exported cause (as
 * plain JSON values: maps, lists, strings, numbers): the state as JSON, the version's JSON Patch
 * applied, decoded back to the state type. The replay checks that the file is consistent (the
 * format, consecutive versions from {@code from + 1} to {@code to}), that the store starts at the
 * file's base state, and that every exported version commits exactly one version; it fails with
 * an {@link AssertionError} naming the version otherwise, since a replay that drifts proves
 * nothing.
 */
public final class HistoryReplay {

  /** The format this class reads. */
  public static final String FORMAT = "snapflux-history/1";

  /**
   * One exported version.
   *
   * @param version its version in the exported store
   * @param time when it was committed there (ISO-8601)
   * @param cause its cause as JSON, or {@code null}
   * @param patch the RFC 6902 operations from the previous version's state to its state
   */
  public record Version(long version, String time, @Nullable JsonNode cause, JsonNode patch) {}

  private final ObjectMapper mapper;
  private final String store;
  private final String epoch;
  private final long from;
  private final long to;
  private final JsonNode base;
  private final List<Version> versions;

  private HistoryReplay(ObjectMapper mapper, JsonNode root) {
    this.mapper = mapper;
    String format = root.path("format").asString("");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException("not a history export: format is '" + format
          + "', expected '" + FORMAT + "'");
    }
    this.store = required(root, "store").asString();
    this.epoch = root.path("epoch").asString("");
    this.from = required(root, "from").asLong();
    this.to = required(root, "to").asLong();
    this.base = required(root, "base");
    List<Version> list = new ArrayList<>();
    long expected = from + 1;
    for (JsonNode v : required(root, "versions")) {
      long version = required(v, "version").asLong();
      if (version != expected) {
        throw new IllegalArgumentException("the export's versions must run from " + (from + 1)
            + " to " + to + " without gaps; found " + version + " where " + expected
            + " was expected");
      }
      JsonNode patch = required(v, "patch");
      if (!patch.isArray()) {
        throw new IllegalArgumentException("the patch of version " + version + " is no array");
      }
      JsonNode cause = v.get("cause");
      list.add(new Version(version, v.path("time").asString(""),
          cause == null || cause.isNull() ? null : cause, patch));
      expected++;
    }
    if (expected - 1 != to) {
      throw new IllegalArgumentException("the export says it runs to version " + to
          + " but its versions end at " + (expected - 1));
    }
    this.versions = List.copyOf(list);
  }

  private static JsonNode required(JsonNode node, String member) {
    JsonNode value = node.get(member);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("the history export has no '" + member + "'");
    }
    return value;
  }

  /**
   * Reads an export.
   *
   * @param json the export's text
   * @param mapper decodes the base state and the replayed states (the application's, so Vavr
   *     collections and records decode as they were encoded)
   * @return the replay
   * @throws IllegalArgumentException if the text is no consistent export
   */
  public static HistoryReplay read(String json, ObjectMapper mapper) {
    Objects.requireNonNull(mapper, "mapper");
    try {
      return new HistoryReplay(mapper, mapper.readTree(json));
    } catch (JacksonException e) {
      throw new IllegalArgumentException("the history export is not JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads an export file (UTF-8).
   *
   * @param file the file
   * @param mapper decodes the states
   * @return the replay
   * @throws IOException if the file cannot be read
   */
  public static HistoryReplay read(Path file, ObjectMapper mapper) throws IOException {
    return read(Files.readString(file), mapper);
  }

  /** The name of the exported store. */
  public String store() {
    return store;
  }

  /** The epoch of the exported versions. */
  public String epoch() {
    return epoch;
  }

  /** The version of the base state. */
  public long from() {
    return from;
  }

  /** The last exported version. */
  public long to() {
    return to;
  }

  /** The exported versions after the base, in order. */
  public List<Version> versions() {
    return versions;
  }

  /**
   * The base state (the state at {@link #from()}), decoded: the initial state of the store to
   * replay against.
   *
   * @param type the state type
   * @param <S> the state type
   * @return the base state
   */
  public <S> S base(TypeRef<S> type) {
    return decode(base, type, "the base state");
  }

  /**
   * Applies every exported version to {@code store}, in order, one update each.
   *
   * @param store a store whose current state is the base state ({@code Store.of(replay.base(type))})
   * @param type the state type
   * @param <S> the state type
   * @return the snapshot committed for the last exported version (the current one if there are
   *     none)
   * @throws AssertionError if the store does not start at the base state, an exported version
   *     commits no version, or a patch does not apply
   */
  public <S> Snapshot<S> replay(Store<S> store, TypeRef<S> type) {
    Snapshot<S> current = store.snapshot();
    JsonNode start = mapper.valueToTree(current.state());
    if (!start.equals(base)) {
      throw new AssertionError("store '" + store.name() + "' is not at the base state of the "
          + "export (version " + from + " of '" + this.store + "'): it holds " + start);
    }
    for (Version v : versions) {
      long before = current.version();
      Object cause = v.cause() == null ? null : mapper.treeToValue(v.cause(), Object.class);
      current = store.update(cause, s -> apply(v, s, type));
      if (current.version() != before + 1) {
        throw new AssertionError("exported version " + v.version() + " committed "
            + (current.version() - before) + " versions instead of 1 (its patch " + v.patch()
            + " left the state as it was?)");
      }
    }
    return current;
  }

  private <S> S apply(Version v, S state, TypeRef<S> type) {
    JsonNode tree = mapper.valueToTree(state);
    JsonNode next;
    try {
      next = Jackson3JsonPatch.apply(v.patch(), tree);
    } catch (JsonPatchApplicationException e) {
      throw new AssertionError("the patch of exported version " + v.version()
          + " does not apply: " + e.getMessage(), e);
    }
    return decode(next, type, "the state of version " + v.version());
  }

  @SuppressWarnings("unchecked")
  private <S> S decode(JsonNode tree, TypeRef<S> type, String what) {
    JavaType javaType = mapper.getTypeFactory().constructType(type.type());
    try {
      return (S) mapper.readerFor(javaType).readValue(tree);
    } catch (JacksonException e) {
      throw new AssertionError(what + " does not decode as " + type + ": "
          + e.getOriginalMessage(), e);
    }
  }
}
