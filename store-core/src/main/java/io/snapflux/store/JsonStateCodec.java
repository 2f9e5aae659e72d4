package io.snapflux.store;

import io.snapflux.jackson.vavr.VavrModule;
import java.io.IOException;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link StateCodec} writing JSON with Jackson 3, Vavr collections included ({@code
 * snapflux-jackson-vavr}).
 *
 * <p>Encode and decode with the store's <em>declared</em> type ({@link TypeRef}), never with the
 * runtime class of some state: Vavr's {@code List.empty()} is a {@code List$Nil}, a type no
 * later state has, and erased type arguments decode as JSON maps instead of records.
 *
 * <p>Needs {@code tools.jackson.core:jackson-databind} and {@code io.snapflux:snapflux-jackson-vavr}
 * on the class path (optional dependencies of snapflux-core).
 *
 * <p>Decoding ignores properties the state type does not have, whatever the mapper's {@code
 * FAIL_ON_UNKNOWN_PROPERTIES} says: during a rolling deploy that adds a field to a shared (Redis)
 * state, the instances still on the old version must keep reading what the new ones write. (They
 * drop the field when they write next; migrations are the tool for changes that must survive
 * that.) A single-writer durable store can prefer {@link #rejectingUnknownProperties()}, so that
 * a changed state shape fails loudly instead of dropping data.
 *
 * @param <S> the type of the state
 */
public final class JsonStateCodec<S> implements StateCodec<S> {

  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final JavaType type;

  private JsonStateCodec(ObjectReader reader, ObjectWriter writer, JavaType type) {
    this.type = type;
    this.reader = reader;
    this.writer = writer;
  }

  /**
   * This codec, except that decoding fails on a property the state type does not have (an
   * {@code IOException} naming it).
   *
   * @return a strict copy of this codec
   */
  public JsonStateCodec<S> rejectingUnknownProperties() {
    return new JsonStateCodec<>(reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES),
        writer, type);
  }

  /**
   * A codec for {@code type} using a new {@code JsonMapper} with the Vavr module and any other
   * Jackson modules found on the class path.
   *
   * @param type the state type
   * @param <S> the type of the state
   * @return the codec
   */
  public static <S> JsonStateCodec<S> of(Class<S> type) {
    return of(TypeRef.of(type));
  }

  /**
   * A codec for the declared {@code type}, generics included ({@code new TypeRef<List<Todo>>()
   * {}}), using a new {@code JsonMapper} with the Vavr module and any other Jackson modules found
   * on the class path.
   *
   * @param type the declared state type
   * @param <S> the type of the state
   * @return the codec
   */
  public static <S> JsonStateCodec<S> of(TypeRef<S> type) {
    Objects.requireNonNull(type, "type");
    // Modules are keyed by registration id: adding ours after the discovered ones never doubles it.
    JsonMapper mapper = JsonMapper.builder().findAndAddModules().addModule(new VavrModule()).build();
    return of(mapper, type);
  }

  /**
   * A codec using the application's {@code mapper} (which should have the Vavr module if the
   * state holds Vavr collections) for the declared {@code type}, generics included.
   *
   * @param mapper the object mapper
   * @param type the declared state type
   * @param <S> the type of the state
   * @return the codec
   */
  public static <S> JsonStateCodec<S> of(ObjectMapper mapper, TypeRef<S> type) {
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(type, "type");
    return of(mapper, mapper.constructType(type.type()));
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
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(type, "type");
    return new JsonStateCodec<>(
        mapper.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES),
        mapper.writerFor(type), type);
  }

  @Override
  public byte[] encode(S state) throws IOException {
    try {
      return writer.writeValueAsBytes(state);
    } catch (JacksonException e) {
      throw new IOException("cannot encode " + type + " state: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public S decode(byte[] bytes) throws IOException {
    S state;
    try {
      state = reader.readValue(bytes);
    } catch (JacksonException e) {
      throw new IOException("cannot decode " + type + " state: " + e.getMessage(), e);
    }
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
