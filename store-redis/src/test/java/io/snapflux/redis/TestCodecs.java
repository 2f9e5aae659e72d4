package io.snapflux.redis;

import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** JSON codecs for the JSON-friendly states of the contract suite (integers, strings, lists). */
final class TestCodecs {

  private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new VavrModule()).build();

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
