package io.snapflux.spring.jackson;

import io.snapflux.store.Snapshot;
import java.time.Instant;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Writes a {@link Snapshot} as an object: {@code epoch}, {@code version}, {@code state}, the
 * optional {@code cause} and {@code timestamp}, the shape of the protocol bodies (the epoch is
 * what makes a version a version token; see docs/protocol.md). A cause that is a record, map, collection, string,
 * number, boolean or enum is written as JSON; any other object by its {@code toString()}, so an
 * arbitrary cause can never make a snapshot unserializable.
 */
final class SnapshotSerializer extends StdSerializer<Snapshot<?>> {

  @SuppressWarnings({"unchecked", "rawtypes"})
  SnapshotSerializer() {
    super((Class) Snapshot.class);
  }

  @Override
  public void serialize(Snapshot<?> snapshot, JsonGenerator gen, SerializationContext ctxt) {
    gen.writeStartObject();
    gen.writeStringProperty("epoch", snapshot.epoch());
    gen.writeNumberProperty("version", snapshot.version());
    ctxt.defaultSerializeProperty("state", snapshot.state(), gen);
    Object cause = snapshot.cause();
    if (cause != null) {
      gen.writeName("cause");
      if (isJson(cause)) {
        ctxt.writeValue(gen, cause);
      } else {
        gen.writeString(cause.toString());
      }
    }
    gen.writeStringProperty("timestamp",
        Instant.ofEpochMilli(snapshot.timestampMillis()).toString());
    gen.writeEndObject();
  }

  private static boolean isJson(Object value) {
    return value instanceof CharSequence
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Enum<?>
        || value instanceof Record
        || value instanceof Map<?, ?>
        || value instanceof Iterable<?>;
  }
}
