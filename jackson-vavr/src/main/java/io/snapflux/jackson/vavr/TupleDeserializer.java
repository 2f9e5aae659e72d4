package io.snapflux.jackson.vavr;

import io.vavr.Tuple0;
import io.vavr.Tuple1;
import io.vavr.Tuple2;
import io.vavr.Tuple3;
import io.vavr.Tuple4;
import io.vavr.Tuple5;
import io.vavr.Tuple6;
import io.vavr.Tuple7;
import io.vavr.Tuple8;
import io.vavr.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.jsontype.TypeDeserializer;

/** Reads a JSON array of exactly {@code n} elements into a {@code TupleN}, each by its type. */
final class TupleDeserializer extends StdDeserializer<Tuple> {

  private static final List<Class<?>> TUPLES = List.of(Tuple0.class, Tuple1.class, Tuple2.class,
      Tuple3.class, Tuple4.class, Tuple5.class, Tuple6.class, Tuple7.class, Tuple8.class);

  private final JavaType type;
  private final int arity;
  private final List<ValueDeserializer<Object>> deserializers;
  private final List<@Nullable TypeDeserializer> typeDeserializers;

  TupleDeserializer(JavaType type, int arity) {
    this(type, arity, List.of(), List.of());
  }

  private TupleDeserializer(JavaType type, int arity,
      List<ValueDeserializer<Object>> deserializers,
      List<@Nullable TypeDeserializer> typeDeserializers) {
    super(type);
    this.type = type;
    this.arity = arity;
    this.deserializers = deserializers;
    this.typeDeserializers = typeDeserializers;
  }

  /** The arity of a Vavr tuple class, or -1 if {@code raw} is not one. */
  static int arity(Class<?> raw) {
    return TUPLES.indexOf(raw);
  }

  @Override
  public ValueDeserializer<?> createContextual(DeserializationContext ctxt,
      @Nullable BeanProperty property) {
    List<ValueDeserializer<Object>> values = new ArrayList<>(arity);
    List<@Nullable TypeDeserializer> typed = new ArrayList<>(arity);
    for (int i = 0; i < arity; i++) {
      JavaType element = type.containedTypeOrUnknown(i);
      values.add(ctxt.findContextualValueDeserializer(element, property));
      typed.add(ctxt.findTypeDeserializer(element));
    }
    return new TupleDeserializer(type, arity, values, typed);
  }

  @Override
  public Tuple deserialize(JsonParser p, DeserializationContext ctxt) {
    if (!p.isExpectedStartArrayToken()) {
      return (Tuple) ctxt.handleUnexpectedToken(type, p.currentToken(), p,
          "Tuple%d needs a JSON array of %d elements, got %s", arity, arity, p.currentToken());
    }
    Object[] read = new Object[arity];
    int count = 0;
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      if (count == arity) {
        return ctxt.reportInputMismatch(type,
            "Tuple%d needs a JSON array of %d elements, got more", arity, arity);
      }
      read[count] = VavrValueDeserializer.read(p, ctxt, token, deserializers.get(count),
          typeDeserializers.get(count));
      count++;
    }
    if (count != arity) {
      return ctxt.reportInputMismatch(type,
          "Tuple%d needs a JSON array of %d elements, got %d", arity, arity, count);
    }
    return of(read);
  }

  private static Tuple of(Object[] e) {
    return switch (e.length) {
      case 0 -> Tuple.empty();
      case 1 -> Tuple.of(e[0]);
      case 2 -> Tuple.of(e[0], e[1]);
      case 3 -> Tuple.of(e[0], e[1], e[2]);
      case 4 -> Tuple.of(e[0], e[1], e[2], e[3]);
      case 5 -> Tuple.of(e[0], e[1], e[2], e[3], e[4]);
      case 6 -> Tuple.of(e[0], e[1], e[2], e[3], e[4], e[5]);
      case 7 -> Tuple.of(e[0], e[1], e[2], e[3], e[4], e[5], e[6]);
      case 8 -> Tuple.of(e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]);
      default -> throw new IllegalArgumentException("no Vavr tuple of arity " + e.length);
    };
  }
}
