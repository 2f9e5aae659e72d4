package io.snapflux.jackson.vavr;

import io.vavr.control.Option;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/** Writes {@code Some(v)} as {@code v} and {@code None} as {@code null}. */
final class OptionSerializer extends StdSerializer<Option<?>> {

  OptionSerializer(JavaType type) {
    super(type);
  }

  @Override
  public void serialize(Option<?> value, JsonGenerator gen, SerializationContext ctxt) {
    if (value.isEmpty()) {
      gen.writeNull();
    } else {
      ctxt.writeValue(gen, value.get());
    }
  }

  /** {@code None} counts as empty, so {@code @JsonInclude(NON_EMPTY)} leaves it out. */
  @Override
  public boolean isEmpty(SerializationContext ctxt, Option<?> value) {
    return value.isEmpty();
  }
}
