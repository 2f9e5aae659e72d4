package io.snapflux.spring.jackson;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.snapflux.store.Snapshot;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * Writes a {@link Snapshot} as an object. A cause that is a record, map, collection, string,
 * number, boolean or enum is written as JSON; any other object by its {@code toString()}, so an
 * arbitrary cause can never make a snapshot unserializable.
 */
final class SnapshotSerializer extends StdSerializer<Snapshot<?>> {

  private static final long serialVersionUID = 1L;

  @SuppressWarnings({"unchecked", "rawtypes"})
  SnapshotSerializer() {
    super((Class) Snapshot.class);
  }

  @Override
  public void serialize(Snapshot<?> snapshot, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    gen.writeStartObject();
    gen.writeNumberField("version", snapshot.version());
    provider.defaultSerializeField("state", snapshot.state(), gen);
    Object cause = snapshot.cause();
    if (cause != null) {
      gen.writeFieldName("cause");
      if (isJson(cause)) {
        provider.defaultSerializeValue(cause, gen);
      } else {
        gen.writeString(cause.toString());
      }
    }
    gen.writeStringField("timestamp", Instant.ofEpochMilli(snapshot.timestampMillis()).toString());
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
