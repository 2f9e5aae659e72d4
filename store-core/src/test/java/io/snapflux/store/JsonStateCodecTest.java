package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Jackson 3 with snapflux-jackson-vavr round-trips Vavr 1.0.1 states; decoding tolerates change. */
final class JsonStateCodecTest {

  record Flag(boolean enabled, int rollout, List<String> allow, Option<String> description) {}

  record Config(HashMap<String, Flag> flags, Vector<String> log) {}

  @Test
  void roundTrip_recordWithVavrCollections_isEqual() throws IOException {
    JsonStateCodec<Config> codec = JsonStateCodec.of(Config.class);
    Config config = new Config(
        HashMap.of("dark-mode", new Flag(true, 50, List.of("alice"), Option.some("beta"))),
        Vector.of("created"));

    byte[] json = codec.encode(config);

    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"dark-mode\"", "\"alice\"");
    assertThat(codec.decode(json)).isEqualTo(config);
  }

  @Test
  void decode_jsonNull_isRejectedWithClearMessage() {
    JsonStateCodec<Config> codec = JsonStateCodec.of(Config.class);

    assertThatThrownBy(() -> codec.decode("null".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a valid");
  }

  /** The same state as written by a newer version of the application, with one more field. */
  record NewerFlag(boolean enabled, int rollout, List<String> allow, Option<String> description,
      String owner) {}

  @Test
  void decode_unknownFieldFromNewerVersion_isIgnoredEvenIfTheMapperFailsOnUnknown()
      throws IOException {
    JsonMapper strict = JsonMapper.builder()
        .addModule(new io.snapflux.jackson.vavr.VavrModule())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
    JsonStateCodec<NewerFlag> newer = JsonStateCodec.of(strict, strict.constructType(NewerFlag.class));
    JsonStateCodec<Flag> older = JsonStateCodec.of(strict, strict.constructType(Flag.class));
    byte[] json = newer.encode(new NewerFlag(true, 10, List.of("bob"), Option.none(), "team-a"));

    assertThat(older.decode(json)).isEqualTo(new Flag(true, 10, List.of("bob"), Option.none()));
    assertThat(JsonStateCodec.of(Flag.class).decode(json))
        .isEqualTo(new Flag(true, 10, List.of("bob"), Option.none()));
  }

  @Test
  void decode_rejectingUnknownProperties_failsNamingTheProperty() throws IOException {
    byte[] json = JsonStateCodec.of(NewerFlag.class)
        .encode(new NewerFlag(true, 10, List.empty(), Option.none(), "team-a"));
    JsonStateCodec<Flag> strict = JsonStateCodec.of(Flag.class).rejectingUnknownProperties();

    assertThatThrownBy(() -> strict.decode(json))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("owner");
  }

  @Test
  void decode_fieldsMissingInOlderJson_readAsEmptyCollectionsAndNone() throws IOException {
    JsonStateCodec<Flag> codec = JsonStateCodec.of(Flag.class);

    Flag flag = codec.decode("{\"enabled\":true,\"rollout\":5}".getBytes(StandardCharsets.UTF_8));

    assertThat(flag).isEqualTo(new Flag(true, 5, List.empty(), Option.none()));
  }

  @Test
  void decode_malformedJson_isAnIOExceptionNamingTheType() {
    JsonStateCodec<Config> codec = JsonStateCodec.of(Config.class);

    assertThatThrownBy(() -> codec.decode("{\"flags\":[1]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot decode")
        .hasMessageContaining("Config")
        .hasMessageContaining("HashMap needs a JSON object");
  }
}
