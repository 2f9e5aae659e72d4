package io.snapflux.file;

import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** JSON codecs for the states the contract suite uses (numbers, strings, Vavr lists). */
final class TestCodecs {

  private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new VavrModule()).build();

  private TestCodecs() {}

  @SuppressWarnings("unchecked")
  static <S> StateCodec<S> forValue(S initial) {
    if (initial instanceof io.vavr.collection.List<?>) {
      return JsonStateCodec.of(MAPPER, MAPPER.getTypeFactory()
          .constructCollectionLikeType(io.vavr.collection.List.class, Object.class));
    }
    return JsonStateCodec.of(MAPPER, MAPPER.constructType(initial.getClass()));
  }
}
