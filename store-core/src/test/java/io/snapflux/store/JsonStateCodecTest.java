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

/** vavr-jackson 0.10.3 must round-trip Vavr 1.0.1 collections: the pinned pair is proven here. */
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
}
