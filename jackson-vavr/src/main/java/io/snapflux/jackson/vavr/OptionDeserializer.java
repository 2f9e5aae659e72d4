package io.snapflux.jackson.vavr;

import io.vavr.control.Option;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.jsontype.TypeDeserializer;

/** Reads a value as {@code Some(value)}; {@code null} or a missing property is {@code None}. */
final class OptionDeserializer extends VavrValueDeserializer<Option<?>> {

  private final JavaType type;
  private final JavaType valueType;
  private final @Nullable ValueDeserializer<Object> valueDeserializer;
  private final @Nullable TypeDeserializer valueTypeDeserializer;

  OptionDeserializer(JavaType type, JavaType valueType,
      @Nullable ValueDeserializer<Object> valueDeserializer,
      @Nullable TypeDeserializer valueTypeDeserializer) {
    super(type);
    this.type = type;
    this.valueType = valueType;
    this.valueDeserializer = valueDeserializer;
    this.valueTypeDeserializer = valueTypeDeserializer;
  }

  @Override
  public ValueDeserializer<?> createContextual(DeserializationContext ctxt,
      @Nullable BeanProperty property) {
    return new OptionDeserializer(type, valueType,
        contentDeserializer(ctxt, property, valueType, valueDeserializer),
        contentTypeDeserializer(ctxt, property, valueType, valueTypeDeserializer));
  }

  @Override
  public Option<?> deserialize(JsonParser p, DeserializationContext ctxt) {
    ValueDeserializer<Object> values =
        contentDeserializer(ctxt, null, valueType, valueDeserializer);
    Object value = valueTypeDeserializer != null
        ? values.deserializeWithType(p, ctxt, valueTypeDeserializer)
        : values.deserialize(p, ctxt);
    return Option.of(value);
  }

  @Override
  Object empty() {
    return Option.none();
  }
}
