package io.snapflux.spring.web;

import com.flipkart.zjsonpatch.Jackson3JsonDiff;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON of a store's versions, encoded once and shared (protocol rule R16): every {@link
 * StoreSse} stream and every {@code GET} that serves version {@code v} sends the same text, made
 * by one call to the mapper, so the server's work per version does not grow with the number of
 * clients beyond writing the bytes.
 *
 * <pre>{@code
 * VersionedJson json = VersionedJson.of(store, mapper);
 * String body = json.document(store.snapshot());  // {"epoch":…,"version":…,"state":…,…}
 * }</pre>
 *
 * <p>One instance per store object and mapper ({@link #of}); it holds the most recent encodings
 * (a bounded LRU of {@value #CAPACITY} entries: documents and their UTF-8 bytes, state trees,
 * patches and the {@link StoreSse#writeTo SSE frames} made of them, per selection),
 * so its memory is bounded whatever the number of versions or clients. Encoding happens under the
 * instance's lock, so concurrent requests for one version encode it once; it is CPU work on the
 * caller's thread and never blocks on I/O. Thread-safe.
 *
 * <p>A document is {@code {"epoch":…,"version":…,"state":…,"cause":…,"timestamp":…}}, {@code
 * cause} left out when there is none (a cause that is not a string, number, boolean, record, enum, map or collection
 * is written as its {@code toString()}), as the starter's Jackson module writes a {@code
 * Snapshot}.
 */
public final class VersionedJson {

  /** How many encodings an instance keeps. */
  public static final int CAPACITY = 256;

  /** The selector key of the whole state. */
  static final Object WHOLE = new Object();

  private static final Map<Store<?>, Map<ObjectMapper, VersionedJson>> SHARED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private enum Kind { DOCUMENT, DOCUMENT_BYTES, TREE, PATCH, DIFF }

  private record Key(Object selector, Kind kind, String epoch, long version, long from) {}

  /** An SSE frame's cache key: the data is a shared text, so equal keys are mostly identical. */
  private record FrameKey(String event, String epoch, long version, String data) {}

  /** The heartbeat comment's frame. */
  private static final byte[] HEARTBEAT_FRAME =
      (":" + StoreSse.HEARTBEAT + "\n\n").getBytes(StandardCharsets.UTF_8);

  private final ObjectMapper mapper;
  private final AtomicLong encodings = new AtomicLong();
  private final LinkedHashMap<Object, Object> cache = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
      return size() > CAPACITY;
    }
  };

  VersionedJson(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * The shared instance for {@code store} and {@code mapper}.
   *
   * @param store the store
   * @param mapper the mapper that encodes its states
   * @return the instance every stream and request for this store and mapper shares
   */
  public static VersionedJson of(Store<?> store, ObjectMapper mapper) {
    Objects.requireNonNull(mapper, "mapper");
    synchronized (SHARED) {
      return SHARED.computeIfAbsent(store, s -> new IdentityHashMap<>())
          .computeIfAbsent(mapper, VersionedJson::new);
    }
  }

  /**
   * The document of {@code snapshot}, a snapshot of {@code store}.
   *
   * @param store the store (for its epoch)
   * @param snapshot the snapshot
   * @return the JSON text
   */
  public String document(Store<?> store, Snapshot<?> snapshot) {
    return document(WHOLE, VersionToken.of(snapshot, store).epoch(), snapshot);
  }

  /**
   * How many texts this instance has encoded: one per version (and selection) served as a
   * document, one per pair of versions served as a patch, whatever the number of clients.
   *
   * @return the count since the instance was made
   */
  public long encodings() {
    return encodings.get();
  }

  /**
   * The JSON tree of {@code snapshot}'s state, a snapshot of {@code store}: the tree every
   * document and patch of that version is made from, shared, so it must not be modified.
   *
   * @param store the store (for its epoch)
   * @param snapshot the snapshot
   * @return the shared tree; copy it ({@code deepCopy()}) before changing it
   */
  public JsonNode tree(Store<?> store, Snapshot<?> snapshot) {
    return tree(WHOLE, VersionToken.of(snapshot, store).epoch(), snapshot);
  }

  /**
   * The RFC 6902 JSON Patch that turns the state of {@code from} into the state of {@code to}
   * (snapshots of {@code store}, of one epoch): the same operations the {@code patch} events of
   * {@link StoreSse} carry, computed once per pair of versions and shared. Needs zjsonpatch.
   *
   * @param store the store
   * @param from the base snapshot
   * @param to the target snapshot
   * @return the operations, an array node; shared, so it must not be modified
   */
  public JsonNode diff(Store<?> store, Snapshot<?> from, Snapshot<?> to) {
    return diff(VersionToken.of(to, store).epoch(), from, to);
  }

  private JsonNode diff(String epoch, Snapshot<?> from, Snapshot<?> to) {
    return (JsonNode) cached(new Key(WHOLE, Kind.DIFF, epoch, to.version(), from.version()),
        () -> Jackson3JsonDiff.asJson(tree(WHOLE, epoch, from), tree(WHOLE, epoch, to)));
  }

  /**
   * The cause of {@code snapshot} as JSON, as documents carry it (a cause that is not a string,
   * number, boolean, record, enum, map or collection becomes its {@code toString()}).
   *
   * @param snapshot a snapshot
   * @return the cause's tree, or {@code null} if it has none
   */
  public @Nullable JsonNode cause(Snapshot<?> snapshot) {
    Object cause = snapshot.cause();
    return cause == null ? null : causeTree(cause);
  }

  /** The document of a snapshot whose state is {@code selector}'s value. */
  String document(Object selector, String epoch, Snapshot<?> snapshot) {
    return (String) cached(new Key(selector, Kind.DOCUMENT, epoch, snapshot.version(), -1), () -> {
      ObjectNode doc = mapper.createObjectNode();
      doc.put("epoch", epoch);
      doc.put("version", snapshot.version());
      doc.set("state", tree(selector, epoch, snapshot));
      putCauseAndTime(doc, snapshot);
      encodings.incrementAndGet();
      return mapper.writeValueAsString(doc);
    });
  }

  /** The JSON tree of {@code snapshot}'s state; shared, never to be modified. */
  JsonNode tree(Object selector, String epoch, Snapshot<?> snapshot) {
    return (JsonNode) cached(new Key(selector, Kind.TREE, epoch, snapshot.version(), -1),
        () -> mapper.valueToTree(snapshot.state()));
  }

  /** The {@code patch} event data from {@code from} to {@code to} (same epoch). */
  String patch(Object selector, String epoch, Snapshot<?> from, Snapshot<?> to) {
    return (String) cached(new Key(selector, Kind.PATCH, epoch, to.version(), from.version()), () -> {
      ObjectNode data = mapper.createObjectNode();
      data.put("epoch", epoch);
      data.put("version", to.version());
      data.put("from", from.version());
      data.set("patch", selector == WHOLE ? diff(epoch, from, to) : Jackson3JsonDiff.asJson(
          tree(selector, epoch, from), tree(selector, epoch, to)));
      putCauseAndTime(data, to);
      encodings.incrementAndGet();
      return mapper.writeValueAsString(data);
    });
  }

  /**
   * The bytes of {@code event} as one {@code text/event-stream} frame, exactly as Spring's {@code
   * ServerSentEventHttpMessageWriter} writes the equal {@code ServerSentEvent}: {@code id:},
   * {@code event:} and {@code data:} lines (a data line per line of the text) and a blank line, in
   * UTF-8. Made once per event and shared by every stream that sends it; never to be modified.
   */
  byte[] frame(StoreSse.Event event) {
    if (event.isComment()) {
      return HEARTBEAT_FRAME;
    }
    String name = Objects.requireNonNull(event.name());
    return (byte[]) cached(new FrameKey(name, event.epoch(), event.version(), event.data()), () -> {
      String id = event.id();
      String data = event.data();
      StringBuilder frame = new StringBuilder(data.length() + name.length() + id.length() + 24);
      frame.append("id:").append(id).append('\n')
          .append("event:").append(name).append('\n')
          .append("data:").append(data.replace("\n", "\ndata:")).append("\n\n");
      return frame.toString().getBytes(StandardCharsets.UTF_8);
    });
  }

  /**
   * The UTF-8 bytes of the document of {@code snapshot}, a snapshot of {@code store}: the bytes of
   * {@link #document(Store, Snapshot)}, made once per version and shared, so a {@code GET} that
   * serves them does no encoding of its own. The buffer is read-only and positioned at 0.
   *
   * @param store the store (for its epoch)
   * @param snapshot the snapshot
   * @return a new read-only view of the shared bytes
   */
  public ByteBuffer documentBytes(Store<?> store, Snapshot<?> snapshot) {
    String epoch = VersionToken.of(snapshot, store).epoch();
    byte[] bytes = (byte[]) cached(new Key(WHOLE, Kind.DOCUMENT_BYTES, epoch, snapshot.version(),
        -1), () -> document(WHOLE, epoch, snapshot).getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  private Object cached(Object key, Supplier<Object> encode) {
    synchronized (cache) {
      Object value = cache.get(key);
      if (value == null) {
        value = encode.get();
        cache.put(key, value);
      }
      return value;
    }
  }

  private void putCauseAndTime(ObjectNode node, Snapshot<?> snapshot) {
    Object cause = snapshot.cause();
    if (cause != null) {
      node.set("cause", causeTree(cause));
    }
    node.put("timestamp", snapshot.timestamp().toString());
  }

  private JsonNode causeTree(Object cause) {
    if (cause instanceof CharSequence || cause instanceof Number || cause instanceof Boolean
        || cause instanceof Record || cause instanceof Enum<?> || cause instanceof Map<?, ?>
        || cause instanceof Iterable<?>) {
      try {
        return mapper.valueToTree(cause);
      } catch (IllegalArgumentException | tools.jackson.core.JacksonException e) {
        // fall through: an unserializable cause is still worth its text
      }
    }
    return mapper.getNodeFactory().stringNode(cause.toString());
  }

  /** For tests: the number of entries held. */
  int size() {
    synchronized (cache) {
      return cache.size();
    }
  }

  @Override
  public String toString() {
    return "VersionedJson[" + size() + " entries, " + encodings() + " encodings]";
  }
}
