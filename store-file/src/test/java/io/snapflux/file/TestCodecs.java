package io.snapflux.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import io.vavr.jackson.datatype.VavrModule;

/** JSON codecs for the states the contract suite uses (numbers, strings, Vavr lists). */
final class TestCodecs {

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new VavrModule());

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
