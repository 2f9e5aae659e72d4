package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import io.snapflux.spring.jackson.SnapfluxJacksonModule;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

final class StoreSseTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final SseOptions NO_HEARTBEAT = SseOptions.defaults().withHeartbeat(Duration.ZERO);

  record Counter(int value, String label) {}

  private final ObjectMapper mapper = JsonMapper.builder().addModule(new SnapfluxJacksonModule()).build();

  private static Store<Counter> store(int history) {
    return Store.builder(new Counter(0, "zero")).name("counter").history(history).build();
  }

  private static void increment(Store<Counter> store, int times) {
    for (int i = 0; i < times; i++) {
      store.update("inc", c -> new Counter(c.value() + 1, c.label()));
    }
  }

  private static boolean isEvent(ServerSentEvent<Object> e, String name, long version) {
    return name.equals(e.event()) && Long.toString(version).equals(e.id())
        && e.data() instanceof Snapshot<?> s && s.version() == version;
  }

  @Test
  void fresh_firstEventIsSnapshot_thenChanges() {
    Store<Counter> store = store(0);
    StepVerifier.create(StoreSse.stream(store, null, NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, 0))
        .then(() -> increment(store, 1))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, 1)
            && ((Snapshot<?>) e.data()).cause().equals("inc"))
        .then(store::close)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void resume_atCurrentVersion_sendsNothingUntilNextChange() {
    Store<Counter> store = store(0);
    increment(store, 3);
    StepVerifier.create(StoreSse.stream(store, "3", NO_HEARTBEAT))
        .then(() -> increment(store, 1))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, 4))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resume_behindWithinHistory_replaysEveryMissedVersionInOrder() {
    Store<Counter> store = store(10);
    increment(store, 5);
    StepVerifier.create(StoreSse.stream(store, "2", NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, 3))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, 4))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, 5))
        .then(() -> increment(store, 1))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, 6))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resume_behindHistory_sendsResyncWithCurrentSnapshot() {
    Store<Counter> store = store(2);
    increment(store, 5);
    StepVerifier.create(StoreSse.stream(store, "1", NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, 5))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resume_unknownOrFutureId_sendsResync() {
    Store<Counter> store = store(10);
    increment(store, 2);
    for (String id : new String[] {"abc", "99", "-4"}) {
      StepVerifier.create(StoreSse.stream(store, id, NO_HEARTBEAT))
          .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, 2))
          .thenCancel()
          .verify(TIMEOUT);
    }
  }

  @Test
  void slowClient_isConflated_noPerVersionBuffering() {
    Store<Counter> store = store(0);
    List<Long> versions = new ArrayList<>();
    StepVerifier.create(StoreSse.stream(store, null, SseOptions.defaults()), 1)
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, 0))
        .then(() -> increment(store, 1000))
        .thenRequest(Long.MAX_VALUE)
        .thenConsumeWhile(e -> {
          versions.add(Long.parseLong(e.id()));
          return !e.id().equals("1000");
        })
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(versions).last().isEqualTo(1000L);
    // Only the newest version and, at most, the one snapshot held by merge's slot in between.
    assertThat(versions).hasSizeLessThanOrEqualTo(2).isSorted();
  }

  @Test
  void jsonPatch_sendsDeltasThatRebuildTheState() throws Exception {
    Store<Counter> store = store(10);
    List<ServerSentEvent<Object>> events = new ArrayList<>();
    StepVerifier.create(StoreSse.stream(store, null, NO_HEARTBEAT.withJsonPatch(mapper)))
        .recordWith(() -> events)
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, 0))
        .then(() -> store.update("relabel", c -> new Counter(c.value() + 1, "one")))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && "1".equals(e.id()))
        .thenCancel()
        .verify(TIMEOUT);
    JsonNode patch = (JsonNode) events.get(1).data();
    assertThat(patch.get("version").asLong()).isEqualTo(1);
    assertThat(patch.get("from").asLong()).isZero();
    assertThat(patch.get("cause").asString()).isEqualTo("relabel");
    JsonNode before = mapper.valueToTree(((Snapshot<?>) events.get(0).data()).state());
    JsonNode after = Jackson3JsonPatch.apply(patch.get("patch"), before);
    assertThat(mapper.treeToValue(after, Counter.class)).isEqualTo(new Counter(1, "one"));
  }

  @Test
  void jsonPatch_resumeWithinHistory_replaysPatchesFromTheClientsVersion() {
    Store<Counter> store = store(10);
    increment(store, 3);
    StepVerifier.create(StoreSse.stream(store, "1", NO_HEARTBEAT.withJsonPatch(mapper)))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && "2".equals(e.id())
            && ((JsonNode) e.data()).get("from").asLong() == 1
            && ((JsonNode) e.data()).get("patch").toString()
                .equals("[{\"op\":\"replace\",\"path\":\"/value\",\"value\":2}]"))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && "3".equals(e.id()))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void selection_emitsOnlyWhenSelectedValueChanges() {
    Store<Counter> store = store(10);
    StepVerifier.create(StoreSse.stream(store, Counter::label, null, NO_HEARTBEAT))
        .expectNextMatches(e -> StoreSse.SNAPSHOT.equals(e.event())
            && ((Snapshot<?>) e.data()).state().equals("zero"))
        .then(() -> {
          increment(store, 2);
          store.update(c -> new Counter(c.value(), "three"));
        })
        .expectNextMatches(e -> StoreSse.CHANGE.equals(e.event()) && "3".equals(e.id())
            && ((Snapshot<?>) e.data()).state().equals("three"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void heartbeat_commentsEveryPeriod_inVirtualTime() {
    Store<Counter> store = store(0);
    StepVerifier.withVirtualTime(() -> StoreSse.stream(store, "0",
            SseOptions.defaults().withHeartbeat(Duration.ofSeconds(15))))
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(14))
        .thenAwait(Duration.ofSeconds(1))
        .expectNextMatches(e -> StoreSse.HEARTBEAT.equals(e.comment()) && e.data() == null)
        .thenAwait(Duration.ofSeconds(15))
        .expectNextMatches(e -> StoreSse.HEARTBEAT.equals(e.comment()))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void storeClose_completesStreamAndStopsHeartbeat() {
    Store<Counter> store = store(0);
    StepVerifier.create(StoreSse.stream(store, null,
            SseOptions.defaults().withHeartbeat(Duration.ofMillis(50))))
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, 0))
        .then(store::close)
        .thenConsumeWhile(e -> e.comment() != null)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void anySnapshotFlux_withoutHistory_resyncsWhenBehind() {
    Flux<Snapshot<String>> snapshots = Flux.just(Snapshot.of(4, "four", null, 0));
    StepVerifier.create(StoreSse.stream(snapshots, "2", NO_HEARTBEAT))
        .expectNextMatches(e -> StoreSse.RESYNC.equals(e.event()) && "4".equals(e.id()))
        .expectComplete()
        .verify(TIMEOUT);
  }
}
