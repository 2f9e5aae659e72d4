package io.snapflux.jackson.vavr;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.jsontype.TypeDeserializer;

/**
 * What the module's deserializers share: JSON {@code null}, a missing property and an empty value
 * all read as {@link #empty()} (the empty collection, {@code None}); and one element, entry value
 * or tuple member is read with its own deserializer, polymorphically when it has a type
 * deserializer, {@code null} by that deserializer's rules.
 *
 * @param <T> the Vavr type
 */
abstract class VavrValueDeserializer<T> extends StdDeserializer<T> {

  VavrValueDeserializer(JavaType type) {
    super(type);
  }

  /** The value of {@code null} and of a missing property. */
  abstract Object empty();

  @Override
  public Object getNullValue(DeserializationContext ctxt) {
    return empty();
  }

  @Override
  public Object getAbsentValue(DeserializationContext ctxt) {
    return empty();
  }

  @Override
  public Object getEmptyValue(DeserializationContext ctxt) {
    return empty();
  }

  /**
   * The deserializer of the content type ({@code current} once contextualized), found for {@code
   * property} so that recursive state types resolve through Jackson's cache.
   */
  static ValueDeserializer<Object> contentDeserializer(DeserializationContext ctxt,
      @Nullable BeanProperty property, JavaType contentType,
      @Nullable ValueDeserializer<Object> current) {
    return current != null ? current : ctxt.findContextualValueDeserializer(contentType, property);
  }

  /** The type deserializer of a polymorphic content type, {@code null} for a plain one. */
  static @Nullable TypeDeserializer contentTypeDeserializer(DeserializationContext ctxt,
      @Nullable BeanProperty property, JavaType contentType, @Nullable TypeDeserializer current) {
    return current != null ? current.forProperty(property) : ctxt.findTypeDeserializer(contentType);
  }

  /** Reads the value at {@code token}, the parser's current token. */
  static @Nullable Object read(JsonParser p, DeserializationContext ctxt, JsonToken token,
      ValueDeserializer<Object> values, @Nullable TypeDeserializer typed) {
    if (token == JsonToken.VALUE_NULL) {
      return values.getNullValue(ctxt);
    }
    return typed != null ? values.deserializeWithType(p, ctxt, typed) : values.deserialize(p, ctxt);
  }
}
