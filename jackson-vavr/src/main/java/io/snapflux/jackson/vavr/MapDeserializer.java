package io.snapflux.jackson.vavr;

import io.vavr.collection.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.jsontype.TypeDeserializer;
import tools.jackson.databind.type.LogicalType;

/**
 * Reads a JSON object into a Vavr map, keys through Jackson's key deserializers (as for a {@code
 * java.util.Map}); {@code null} or a missing property is the empty map. A key repeated in the JSON
 * keeps its last value, as Jackson does for {@code java.util.Map}.
 */
final class MapDeserializer extends VavrValueDeserializer<Map<?, ?>> {

  private final JavaType type;
  private final VavrTypes.MapKind kind;
  private final JavaType keyType;
  private final JavaType valueType;
  private final @Nullable KeyDeserializer keyDeserializer;
  private final @Nullable ValueDeserializer<Object> valueDeserializer;
  private final @Nullable TypeDeserializer valueTypeDeserializer;

  MapDeserializer(JavaType type, VavrTypes.MapKind kind, JavaType keyType, JavaType valueType,
      @Nullable KeyDeserializer keyDeserializer,
      @Nullable ValueDeserializer<Object> valueDeserializer,
      @Nullable TypeDeserializer valueTypeDeserializer) {
    super(type);
    this.type = type;
    this.kind = kind;
    this.keyType = keyType;
    this.valueType = valueType;
    this.keyDeserializer = keyDeserializer;
    this.valueDeserializer = valueDeserializer;
    this.valueTypeDeserializer = valueTypeDeserializer;
  }

  @Override
  public ValueDeserializer<?> createContextual(DeserializationContext ctxt,
      @Nullable BeanProperty property) {
    if (kind.sorted() && !Comparable.class.isAssignableFrom(keyType.getRawClass())
        && keyType.getRawClass() != Object.class) {
      return ctxt.reportBadDefinition(type, kind.name() + " needs Comparable keys (natural order), "
          + "but " + keyType + " is not Comparable");
    }
    KeyDeserializer keys = keyDeserializer == null
        ? ctxt.findKeyDeserializer(keyType, property)
        : keyDeserializer;
    return new MapDeserializer(type, kind, keyType, valueType, keys,
        contentDeserializer(ctxt, property, valueType, valueDeserializer),
        contentTypeDeserializer(ctxt, property, valueType, valueTypeDeserializer));
  }

  @Override
  public Map<?, ?> deserialize(JsonParser p, DeserializationContext ctxt) {
    JsonToken token = p.currentToken();
    if (token == JsonToken.START_OBJECT) {
      token = p.nextToken();
    } else if (token != JsonToken.PROPERTY_NAME && token != JsonToken.END_OBJECT) {
      return (Map<?, ?>) ctxt.handleUnexpectedToken(type, token, p,
          "%s needs a JSON object, got %s", kind.name(), token);
    }
    KeyDeserializer keys = keyDeserializer != null
        ? keyDeserializer
        : ctxt.findKeyDeserializer(keyType, null);
    ValueDeserializer<Object> values =
        contentDeserializer(ctxt, null, valueType, valueDeserializer);
    java.util.LinkedHashMap<Object, @Nullable Object> read = new java.util.LinkedHashMap<>();
    for (; token == JsonToken.PROPERTY_NAME; token = p.nextToken()) {
      String name = p.currentName();
      Object key = keys.deserializeKey(name, ctxt);
      if (key == null) {
        return ctxt.reportInputMismatch(type, "%s key \"%s\" is not a valid %s", kind.name(), name,
            keyType);
      }
      read.put(key, read(p, ctxt, p.nextToken(), values, valueTypeDeserializer));
    }
    return kind.factory().apply(read);
  }

  @Override
  Object empty() {
    return kind.factory().apply(java.util.Map.of());
  }

  @Override
  public LogicalType logicalType() {
    return LogicalType.Map;
  }
}
