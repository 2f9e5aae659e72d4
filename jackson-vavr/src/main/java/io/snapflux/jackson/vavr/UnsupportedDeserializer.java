package io.snapflux.jackson.vavr;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.deser.std.StdDeserializer;

/** Refuses a Vavr type the module does not read, naming it and the types it does read. */
final class UnsupportedDeserializer extends StdDeserializer<Object> {

  UnsupportedDeserializer(JavaType type) {
    super(type);
  }

  @Override
  public Object deserialize(JsonParser p, DeserializationContext ctxt) {
    return ctxt.reportBadDefinition(getValueType(),
        "snapflux-jackson-vavr does not support " + getValueType()
            + ": use List, Vector, Queue, Array, Stream, HashSet, LinkedHashSet, TreeSet, "
            + "HashMap, LinkedHashMap, TreeMap, Option or a Tuple, or their interfaces");
  }
}
