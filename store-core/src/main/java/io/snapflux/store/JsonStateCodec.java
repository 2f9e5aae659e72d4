package io.snapflux.store;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.vavr.jackson.datatype.VavrModule;
import java.io.IOException;
import java.util.Objects;

/**
 * A {@link StateCodec} writing JSON with Jackson, Vavr collections included (vavr-jackson).
 *
 * <p>Needs {@code com.fasterxml.jackson.core:jackson-databind} and {@code io.vavr:vavr-jackson}
 * on the class path (optional dependencies of snapflux-core).
 *
 * @param <S> the type of the state
 */
public final class JsonStateCodec<S> implements StateCodec<S> {

  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final JavaType type;

  private JsonStateCodec(ObjectMapper mapper, JavaType type) {
    this.type = type;
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
  }

  /**
   * A codec for {@code type} using a new {@code ObjectMapper} with the Vavr module and any
   * modules found on the class path (Java time, parameter names).
   *
   * @param type the state type
   * @param <S> the type of the state
   * @return the codec
   */
  public static <S> JsonStateCodec<S> of(Class<S> type) {
    ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();
    if (!mapper.getRegisteredModuleIds().contains(new VavrModule().getTypeId())) {
      mapper.registerModule(new VavrModule());
    }
    return of(mapper, mapper.constructType(type));
  }

  /**
   * A codec using the application's {@code mapper} (which should have the Vavr module if the
   * state holds Vavr collections) for {@code type}, which may be generic.
   *
   * @param mapper the object mapper
   * @param type the state type
   * @param <S> the type of the state
   * @return the codec
   */
  public static <S> JsonStateCodec<S> of(ObjectMapper mapper, JavaType type) {
    return new JsonStateCodec<>(Objects.requireNonNull(mapper, "mapper"),
        Objects.requireNonNull(type, "type"));
  }

  @Override
  public byte[] encode(S state) throws IOException {
    return writer.writeValueAsBytes(state);
  }

  @Override
  public S decode(byte[] bytes) throws IOException {
    S state = reader.readValue(bytes);
    if (state == null) {
      throw new IOException("JSON 'null' is not a valid " + type + " state");
    }
    return state;
  }

  @Override
  public String toString() {
    return "JsonStateCodec{" + type + "}";
  }
}
