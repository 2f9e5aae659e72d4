package io.snapflux.spring.jackson;

import io.snapflux.store.Snapshot;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.std.StdDeserializer;

/** Reads a {@link Snapshot}, its state as the target type's type argument. */
final class SnapshotDeserializer extends StdDeserializer<Snapshot<?>> {

  private final @Nullable JavaType stateType;

  SnapshotDeserializer(@Nullable JavaType stateType) {
    super(Snapshot.class);
    this.stateType = stateType;
  }

  @Override
  public ValueDeserializer<?> createContextual(
      DeserializationContext ctxt, @Nullable BeanProperty property) {
    JavaType type = ctxt.getContextualType();
    if (type == null && property != null) {
      type = property.getType();
    }
    JavaType state = type == null ? null : type.containedType(0);
    return new SnapshotDeserializer(state == null ? ctxt.constructType(Object.class) : state);
  }

  @Override
  public Snapshot<?> deserialize(JsonParser p, DeserializationContext ctxt) {
    JsonNode node = ctxt.readTree(p);
    JsonNode version = node.get("version");
    JsonNode state = node.get("state");
    if (version == null || !version.canConvertToLong() || state == null || state.isNull()) {
      return (Snapshot<?>) ctxt.handleUnexpectedToken(ctxt.constructType(Snapshot.class), p.currentToken(), p,
          "a Snapshot needs a numeric \"version\" and a non-null \"state\"");
    }
    JavaType type = stateType == null ? ctxt.constructType(Object.class) : stateType;
    Object value = ctxt.readTreeAsValue(state, type);
    JsonNode causeNode = node.get("cause");
    Object cause = causeNode == null || causeNode.isNull()
        ? null
        : causeNode.isString() ? causeNode.asString() : ctxt.readTreeAsValue(causeNode, Object.class);
    JsonNode timestamp = node.get("timestamp");
    long millis = timestamp == null || timestamp.isNull()
        ? 0L
        : timestamp.isNumber() ? timestamp.asLong() : Instant.parse(timestamp.asString()).toEpochMilli();
    return Snapshot.of(version.asLong(), value, cause, millis);
  }
}
