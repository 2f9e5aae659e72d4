package io.snapflux.jackson.vavr;

import io.vavr.Tuple;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/** Writes a tuple as a JSON array of its elements, in order. */
final class TupleSerializer extends StdSerializer<Tuple> {

  TupleSerializer(JavaType type) {
    super(type);
  }

  @Override
  public void serialize(Tuple value, JsonGenerator gen, SerializationContext ctxt) {
    gen.writeStartArray(value);
    for (Object element : value.toSeq()) {
      ctxt.writeValue(gen, element);
    }
    gen.writeEndArray();
  }
}
