package io.snapflux.jackson.vavr;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Refuses a Vavr type the module cannot read back (CharSeq, BitSet, PriorityQueue, Tree,
 * Multimap, Iterator): writing a state that could never be read again is worse than failing now.
 */
final class UnsupportedSerializer extends StdSerializer<Object> {

  UnsupportedSerializer(JavaType type) {
    super(type);
  }

  @Override
  public void serialize(Object value, JsonGenerator gen, SerializationContext ctxt) {
    ctxt.reportBadDefinition(handledType(),
        "snapflux-jackson-vavr does not support " + value.getClass().getName()
            + ": use List, Vector, Queue, Array, Stream, HashSet, LinkedHashSet, TreeSet, "
            + "HashMap, LinkedHashMap, TreeMap, Option or a Tuple");
  }
}
