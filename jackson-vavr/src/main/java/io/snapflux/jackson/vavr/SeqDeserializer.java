package io.snapflux.jackson.vavr;

import io.vavr.collection.Traversable;
import java.util.ArrayList;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.jsontype.TypeDeserializer;
import tools.jackson.databind.type.LogicalType;

/**
 * Reads a JSON array into a Vavr sequence or set; {@code null} or a missing property is the empty
 * collection. Elements are read with the element type's own deserializer (found in {@link
 * #createContextual}, so recursive state types work) and its type deserializer if it is
 * polymorphic.
 */
final class SeqDeserializer extends VavrValueDeserializer<Traversable<?>> {

  private final JavaType type;
  private final VavrTypes.SeqKind kind;
  private final JavaType elementType;
  private final @Nullable ValueDeserializer<Object> elementDeserializer;
  private final @Nullable TypeDeserializer elementTypeDeserializer;

  SeqDeserializer(JavaType type, VavrTypes.SeqKind kind, JavaType elementType,
      @Nullable ValueDeserializer<Object> elementDeserializer,
      @Nullable TypeDeserializer elementTypeDeserializer) {
    super(type);
    this.type = type;
    this.kind = kind;
    this.elementType = elementType;
    this.elementDeserializer = elementDeserializer;
    this.elementTypeDeserializer = elementTypeDeserializer;
  }

  @Override
  public ValueDeserializer<?> createContextual(DeserializationContext ctxt,
      @Nullable BeanProperty property) {
    return new SeqDeserializer(type, kind, elementType,
        contentDeserializer(ctxt, property, elementType, elementDeserializer),
        contentTypeDeserializer(ctxt, property, elementType, elementTypeDeserializer));
  }

  @Override
  public Traversable<?> deserialize(JsonParser p, DeserializationContext ctxt) {
    if (!p.isExpectedStartArrayToken()) {
      return (Traversable<?>) ctxt.handleUnexpectedToken(type, p.currentToken(), p,
          "%s needs a JSON array, got %s", kind.name(), p.currentToken());
    }
    // Only a deserializer used without createContextual (a root value) has none yet.
    ValueDeserializer<Object> elements =
        contentDeserializer(ctxt, null, elementType, elementDeserializer);
    ArrayList<@Nullable Object> read = new ArrayList<>();
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      Object element = read(p, ctxt, token, elements, elementTypeDeserializer);
      if (kind.sorted() && !(element instanceof Comparable<?>)) {
        return ctxt.reportInputMismatch(type,
            "%s needs Comparable elements (natural order), got %s at index %d", kind.name(),
            element == null ? "null" : element.getClass().getName(), read.size());
      }
      read.add(element);
    }
    return kind.factory().apply(read);
  }


  @Override
  Object empty() {
    return kind.factory().apply(java.util.List.of());
  }

  @Override
  public LogicalType logicalType() {
    return LogicalType.Collection;
  }
}
