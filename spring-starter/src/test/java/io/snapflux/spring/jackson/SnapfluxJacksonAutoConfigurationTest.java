package io.snapflux.spring.jackson;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.store.Snapshot;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import io.vavr.collection.LinkedHashMap;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.Set;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

final class SnapfluxJacksonAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          JacksonAutoConfiguration.class, SnapfluxJacksonAutoConfiguration.class));

  record Flag(boolean enabled, int rollout, List<String> allow, Option<String> description) {}

  record Flags(
      Map<String, Flag> byName, Set<String> tags, Vector<Long> versions, Option<Flag> featured) {}

  @Test
  void modules_registeredWithBootJsonMapper() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(io.snapflux.jackson.vavr.VavrModule.class);
      assertThat(context).hasSingleBean(SnapfluxJacksonModule.class);
      ObjectMapper mapper = context.getBean(ObjectMapper.class);
      assertThat(mapper.writeValueAsString(List.of(1, 2))).isEqualTo("[1,2]");
      assertThat(mapper.writeValueAsString(Snapshot.of(3, HashMap.of("a", 1), null, 0)))
          .isEqualTo("{\"epoch\":\"\",\"version\":3,\"state\":{\"a\":1},"
              + "\"timestamp\":\"1970-01-01T00:00:00Z\"}");
    });
  }

  @Test
  void snapshotSerializer_writesEpoch() {
    runner.run(context -> {
      ObjectMapper mapper = context.getBean(ObjectMapper.class);
      String json = mapper.writeValueAsString(Snapshot.of(7, HashMap.of("a", 1), null, 0, "e-1"));
      assertThat(mapper.readTree(json).get("epoch").asString()).isEqualTo("e-1");
      assertThat(mapper.readTree(json).get("version").asLong()).isEqualTo(7);
    });
  }

  @Test
  void userVavrModule_wins() {
    io.snapflux.jackson.vavr.VavrModule mine = new io.snapflux.jackson.vavr.VavrModule();
    runner.withBean("myVavr", io.snapflux.jackson.vavr.VavrModule.class, () -> mine)
        .run(context -> {
          assertThat(context).hasSingleBean(io.snapflux.jackson.vavr.VavrModule.class);
          assertThat(context.getBean(io.snapflux.jackson.vavr.VavrModule.class)).isSameAs(mine);
        });
  }

  @Test
  void withoutSnapfluxJacksonVavr_noModules() {
    runner.withClassLoader(new FilteredClassLoader(io.snapflux.jackson.vavr.VavrModule.class))
        .run(context -> {
          assertThat(context).doesNotHaveBean(SnapfluxJacksonModule.class);
          assertThat(context).hasSingleBean(ObjectMapper.class);
        });
  }

  /** Boot 4's JsonMapper with Vavr 1.0.1: every collection the project uses, and a record. */
  @Test
  void vavrCollectionsAndRecord_roundTrip() {
    runner.run(context -> {
      ObjectMapper mapper = context.getBean(ObjectMapper.class);
      Flag flag = new Flag(true, 50, List.of("alice", "bob"), Option.some("beta"));
      Flags flags = new Flags(
          LinkedHashMap.of("dark-mode", flag, "off", new Flag(false, 0, List.empty(), Option.none())),
          HashSet.of("ui", "beta"),
          Vector.of(1L, 2L, 3L),
          Option.some(flag));

      String json = mapper.writeValueAsString(flags);
      assertThat(mapper.readValue(json, Flags.class)).isEqualTo(flags);
      JsonNode tree = mapper.readTree(json);
      assertThat(tree.at("/byName/dark-mode/allow").toString()).isEqualTo("[\"alice\",\"bob\"]");
      assertThat(tree.at("/byName/off/description").isNull()).isTrue();

      assertThat(mapper.readValue(mapper.writeValueAsString(List.of(1, 2)),
          new TypeReference<List<Integer>>() {})).isEqualTo(List.of(1, 2));
      assertThat(mapper.readValue(mapper.writeValueAsString(HashMap.of("k", 1L)),
          new TypeReference<Map<String, Long>>() {})).isEqualTo(HashMap.of("k", 1L));
      assertThat(mapper.readValue(mapper.writeValueAsString(HashSet.of("x")),
          new TypeReference<Set<String>>() {})).isEqualTo(HashSet.of("x"));
      assertThat(mapper.readValue(mapper.writeValueAsString(Vector.of(1, 2)),
          new TypeReference<Vector<Integer>>() {})).isEqualTo(Vector.of(1, 2));
      assertThat(mapper.readValue(mapper.writeValueAsString(Option.some("x")),
          new TypeReference<Option<String>>() {})).isEqualTo(Option.some("x"));
      assertThat(mapper.readValue(mapper.writeValueAsString(Option.none()),
          new TypeReference<Option<String>>() {})).isEqualTo(Option.none());
    });
  }

  @Test
  void snapshot_roundTripsWithTypedStateAndCause() {
    runner.run(context -> {
      ObjectMapper mapper = context.getBean(ObjectMapper.class);
      Flags state = new Flags(HashMap.empty(), HashSet.of("a"), Vector.empty(), Option.none());
      Snapshot<Flags> snapshot = Snapshot.of(7, state, "toggle dark-mode", 1_700_000_000_123L);
      String json = mapper.writeValueAsString(snapshot);
      assertThat(mapper.readTree(json).get("cause").asString()).isEqualTo("toggle dark-mode");
      assertThat(mapper.readTree(json).get("timestamp").asString())
          .isEqualTo("2023-11-14T22:13:20.123Z");

      Snapshot<Flags> back = mapper.readValue(json, new TypeReference<Snapshot<Flags>>() {});
      assertThat(back).isEqualTo(snapshot);
    });
  }

  @Test
  void snapshot_arbitraryCause_writtenAsText() throws Exception {
    ObjectMapper mapper = JsonMapper.builder().addModule(new SnapfluxJacksonModule()).build();
    Object cause = new Object() {
      @Override
      public String toString() {
        return "opaque";
      }
    };
    assertThat(mapper.readTree(mapper.writeValueAsString(Snapshot.of(1, "s", cause, 0)))
        .get("cause").asString()).isEqualTo("opaque");
  }
}
