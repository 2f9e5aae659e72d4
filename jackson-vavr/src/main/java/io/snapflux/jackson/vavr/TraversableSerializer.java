package io.snapflux.jackson.vavr;

import io.vavr.collection.Traversable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/** Writes a Vavr sequence or set as a JSON array, each element by its runtime type. */
final class TraversableSerializer extends StdSerializer<Traversable<?>> {

  TraversableSerializer(JavaType type) {
    super(type);
  }

  @Override
  public void serialize(Traversable<?> value, JsonGenerator gen, SerializationContext ctxt) {
    gen.writeStartArray(value);
    for (Object element : value) {
      ctxt.writeValue(gen, element);
    }
    gen.writeEndArray();
  }

  @Override
  public boolean isEmpty(SerializationContext ctxt, Traversable<?> value) {
    return value.isEmpty();
  }
}
