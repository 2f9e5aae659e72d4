package io.snapflux.spring.jackson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.snapflux.store.Snapshot;
import java.io.IOException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Reads a {@link Snapshot}, its state as the target type's type argument. */
final class SnapshotDeserializer extends StdDeserializer<Snapshot<?>>
    implements ContextualDeserializer {

  private static final long serialVersionUID = 1L;

  private final @Nullable JavaType stateType;

  SnapshotDeserializer(@Nullable JavaType stateType) {
    super(Snapshot.class);
    this.stateType = stateType;
  }

  @Override
  public JsonDeserializer<?> createContextual(
      DeserializationContext ctxt, @Nullable BeanProperty property) {
    JavaType type = ctxt.getContextualType();
    if (type == null && property != null) {
      type = property.getType();
    }
    JavaType state = type == null ? null : type.containedType(0);
    return new SnapshotDeserializer(state == null ? ctxt.constructType(Object.class) : state);
  }

  @Override
  public Snapshot<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonNode node = ctxt.readTree(p);
    JsonNode version = node.get("version");
    JsonNode state = node.get("state");
    if (version == null || !version.canConvertToLong() || state == null || state.isNull()) {
      return (Snapshot<?>) ctxt.handleUnexpectedToken(Snapshot.class, p.currentToken(), p,
          "a Snapshot needs a numeric \"version\" and a non-null \"state\"");
    }
    JavaType type = stateType == null ? ctxt.constructType(Object.class) : stateType;
    Object value = ctxt.readTreeAsValue(state, type);
    JsonNode causeNode = node.get("cause");
    Object cause = causeNode == null || causeNode.isNull()
        ? null
        : causeNode.isTextual() ? causeNode.asText() : ctxt.readTreeAsValue(causeNode, Object.class);
    JsonNode timestamp = node.get("timestamp");
    long millis = timestamp == null || timestamp.isNull()
        ? 0L
        : timestamp.isNumber() ? timestamp.asLong() : Instant.parse(timestamp.asText()).toEpochMilli();
    return Snapshot.of(version.asLong(), value, cause, millis);
  }
}
