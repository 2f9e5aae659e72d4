package io.snapflux.redis;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import io.vavr.jackson.datatype.VavrModule;

/** JSON codecs for the JSON-friendly states of the contract suite (integers, strings, lists). */
final class TestCodecs {

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new VavrModule());

  private TestCodecs() {}

  @SuppressWarnings("unchecked")
  static <S> StateCodec<S> jsonFor(S initial) {
    JavaType type;
    if (initial instanceof io.vavr.collection.List<?>) {
      type = MAPPER.getTypeFactory()
          .constructParametricType(io.vavr.collection.List.class, String.class);
    } else if (initial instanceof Integer || initial instanceof String
        || initial instanceof Long) {
      type = MAPPER.constructType(initial.getClass());
    } else {
      throw new IllegalArgumentException("no test codec for " + initial.getClass());
    }
    return (StateCodec<S>) JsonStateCodec.of(MAPPER, type);
  }
}
