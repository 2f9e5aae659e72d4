package io.snapflux.jackson.vavr;

import io.vavr.Tuple2;
import io.vavr.collection.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Writes a Vavr map as a JSON object in the map's iteration order, keys through Jackson's key
 * serializers (as for a {@code java.util.Map}), values by their runtime type.
 */
final class MapSerializer extends StdSerializer<Map<?, ?>> {

  private final @Nullable JavaType keyType;

  MapSerializer(JavaType type) {
    super(type);
    JavaType[] params = type.findTypeParameters(Map.class);
    this.keyType = params.length == 2 ? params[0] : null;
  }

  @Override
  public void serialize(Map<?, ?> value, JsonGenerator gen, SerializationContext ctxt) {
    gen.writeStartObject(value);
    for (Tuple2<?, ?> entry : value) {
      Object key = entry._1;
      if (key == null) {
        JavaType declared = keyType != null ? keyType : ctxt.constructType(Object.class);
        ctxt.findNullKeySerializer(declared, null).serialize(null, gen, ctxt);
      } else {
        ctxt.findKeySerializer(key.getClass(), null).serialize(key, gen, ctxt);
      }
      ctxt.writeValue(gen, entry._2);
    }
    gen.writeEndObject();
  }

  @Override
  public boolean isEmpty(SerializationContext ctxt, Map<?, ?> value) {
    return value.isEmpty();
  }
}
