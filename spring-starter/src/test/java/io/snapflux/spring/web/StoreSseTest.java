package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flipkart.zjsonpatch.Jackson3JsonPatch;
import io.snapflux.spring.jackson.SnapfluxJacksonModule;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

final class StoreSseTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final SseOptions NO_HEARTBEAT = SseOptions.defaults()
      .withHeartbeat(Duration.ZERO).withBookmarks(1000, Duration.ZERO);

  record Counter(int value, String label) {}

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().addModule(new SnapfluxJacksonModule()).build();

  private static Store<Counter> store(int history) {
    return Store.builder(new Counter(0, "zero")).name("counter").history(history).build();
  }

  private static void increment(Store<Counter> store, int times) {
    for (int i = 0; i < times; i++) {
      store.update("inc", c -> new Counter(c.value() + 1, c.label()));
    }
  }

  private static String id(Store<?> store, long version) {
    return new VersionToken(Epochs.of(store), version).toString();
  }

  private static JsonNode json(ServerSentEvent<Object> e) {
    return MAPPER.readTree((String) e.data());
  }

  /** An event named {@code name} whose id and data name version {@code version} of the store. */
  private static boolean isEvent(
      ServerSentEvent<Object> e, String name, Store<?> store, long version) {
    if (!name.equals(e.event()) || !id(store, version).equals(e.id())) {
      return false;
    }
    JsonNode data = json(e);
    return data.get("version").asLong() == version
        && data.get("epoch").asString().equals(Epochs.of(store));
  }

  @Test
  void fresh_firstEventIsSnapshot_thenChanges_dataIsTheDocument() {
    Store<Counter> store = store(0);
    StepVerifier.create(StoreSse.stream(store, null, NO_HEARTBEAT))
        .assertNext(e -> {
          assertThat(isEvent(e, StoreSse.SNAPSHOT, store, 0)).isTrue();
          assertThat(json(e).get("state").get("label").asString()).isEqualTo("zero");
          assertThat(json(e).has("timestamp")).isTrue();
        })
        .then(() -> increment(store, 1))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, store, 1)
            && json(e).get("cause").asString().equals("inc"))
        .then(store::close)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void resume_atCurrentVersion_answersAtOnceWithABookmark_thenChanges() {
    Store<Counter> store = store(0);
    increment(store, 3);
    StepVerifier.create(StoreSse.stream(store, id(store, 3), NO_HEARTBEAT))
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo(StoreSse.BOOKMARK);
          assertThat(e.id()).isEqualTo(id(store, 3));
          assertThat(json(e).get("version").asLong()).isEqualTo(3);
          assertThat(json(e).get("epoch").asString()).isEqualTo(Epochs.of(store));
        })
        .then(() -> increment(store, 1))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, store, 4))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resume_behindWithinHistory_replaysEveryMissedVersionInOrder() {
    Store<Counter> store = store(10);
    increment(store, 5);
    StepVerifier.create(StoreSse.stream(store, id(store, 2), NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, store, 3))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, store, 4))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, store, 5))
        .then(() -> increment(store, 1))
        .expectNextMatches(e -> isEvent(e, StoreSse.CHANGE, store, 6))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resume_behindHistory_sendsResyncWithCurrentSnapshot() {
    Store<Counter> store = store(2);
    increment(store, 5);
    StepVerifier.create(StoreSse.stream(store, id(store, 1), NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, store, 5))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resume_unknownOrFutureId_sendsResync() {
    Store<Counter> store = store(10);
    increment(store, 2);
    for (String id : new String[] {"abc", id(store, 99), "-4", Epochs.of(store) + ".-1", "."}) {
      StepVerifier.create(StoreSse.stream(store, id, NO_HEARTBEAT))
          .as(id)
          .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, store, 2))
          .thenCancel()
          .verify(TIMEOUT);
    }
  }

  @Test
  void tokenOfAnotherEpochResyncs_evenAtTheSameVersion() {
    Store<Counter> before = store(10);
    increment(before, 2);
    Store<Counter> restarted = store(10);
    increment(restarted, 2);
    assertThat(Epochs.of(restarted)).isNotEqualTo(Epochs.of(before));
    StepVerifier.create(StoreSse.stream(restarted, id(before, 1), NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, restarted, 2))
        .thenCancel()
        .verify(TIMEOUT);
    StepVerifier.create(StoreSse.stream(restarted, id(before, 2), NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, restarted, 2))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void epochChangingWhileTheStreamIsOpen_resyncsUnderTheNewEpoch() {
    Store<Counter> inner = store(10);
    MovingEpoch<Counter> store = new MovingEpoch<>(inner);
    StepVerifier.create(StoreSse.stream(store, null, NO_HEARTBEAT))
        .expectNextMatches(e -> StoreSse.SNAPSHOT.equals(e.event()) && "first.0".equals(e.id()))
        .then(() -> {
          store.epoch = "second";
          increment(inner, 1);
        })
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo(StoreSse.RESYNC);
          assertThat(e.id()).isEqualTo("second.1");
          assertThat(json(e).get("epoch").asString()).isEqualTo("second");
        })
        .then(() -> increment(inner, 1))
        .expectNextMatches(e -> StoreSse.CHANGE.equals(e.event()) && "second.2".equals(e.id()))
        .thenCancel()
        .verify(TIMEOUT);
  }

  /** A store whose epoch changes when told, as a Redis store's does when Redis is re-seeded. */
  public static final class MovingEpoch<S> extends io.snapflux.store.ForwardingStore<S> {
    volatile String epoch = "first";

    MovingEpoch(Store<S> delegate) {
      super(delegate);
    }

    public String epoch() {
      return epoch;
    }
  }

  @Test
  void legacyIdResyncs() {
    Store<Counter> store = store(10);
    increment(store, 2);
    StepVerifier.create(StoreSse.stream(store, "1", NO_HEARTBEAT))
        .expectNextMatches(e -> isEvent(e, StoreSse.RESYNC, store, 2))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void slowClient_isConflated_noPerVersionBuffering() {
    Store<Counter> store = store(0);
    List<Long> versions = new ArrayList<>();
    StepVerifier.create(StoreSse.stream(store, null, SseOptions.defaults()), 1)
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, store, 0))
        .then(() -> increment(store, 1000))
        .thenRequest(Long.MAX_VALUE)
        .thenConsumeWhile(e -> {
          if (e.id() != null) {
            versions.add(VersionToken.parse(e.id()).version());
          }
          return !id(store, 1000).equals(e.id());
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
    StepVerifier.create(StoreSse.stream(store, null, NO_HEARTBEAT.withJsonPatch(MAPPER)))
        .recordWith(() -> events)
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, store, 0))
        .then(() -> store.update("relabel", c -> new Counter(c.value() + 1, "one")))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && id(store, 1).equals(e.id()))
        .thenCancel()
        .verify(TIMEOUT);
    JsonNode patch = json(events.get(1));
    assertThat(patch.get("epoch").asString()).isEqualTo(Epochs.of(store));
    assertThat(patch.get("version").asLong()).isEqualTo(1);
    assertThat(patch.get("from").asLong()).isZero();
    assertThat(patch.get("cause").asString()).isEqualTo("relabel");
    JsonNode before = json(events.get(0)).get("state");
    JsonNode after = Jackson3JsonPatch.apply(patch.get("patch"), before);
    assertThat(MAPPER.treeToValue(after, Counter.class)).isEqualTo(new Counter(1, "one"));
  }

  @Test
  void jsonPatch_resumeWithinHistory_replaysPatchesFromTheClientsVersion() {
    Store<Counter> store = store(10);
    increment(store, 3);
    StepVerifier.create(StoreSse.stream(store, id(store, 1), NO_HEARTBEAT.withJsonPatch(MAPPER)))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && id(store, 2).equals(e.id())
            && json(e).get("from").asLong() == 1
            && json(e).get("patch").toString()
                .equals("[{\"op\":\"replace\",\"path\":\"/value\",\"value\":2}]"))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && id(store, 3).equals(e.id()))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void selection_emitsOnlyWhenSelectedValueChanges() {
    Store<Counter> store = store(10);
    StepVerifier.create(StoreSse.stream(store, Counter::label, null, NO_HEARTBEAT))
        .expectNextMatches(e -> StoreSse.SNAPSHOT.equals(e.event())
            && json(e).get("state").asString().equals("zero"))
        .then(() -> {
          increment(store, 2);
          store.update(c -> new Counter(c.value(), "three"));
        })
        .expectNextMatches(e -> StoreSse.CHANGE.equals(e.event()) && id(store, 3).equals(e.id())
            && json(e).get("state").asString().equals("three"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void bookmarkMovesASelectionStreamsResumePoint() {
    Store<Counter> store = store(10);
    // Every 5 skipped versions, and (for the versions after the last such bookmark) on a timer.
    SseOptions everyFive = NO_HEARTBEAT.withBookmarks(5, Duration.ofMillis(100));
    List<ServerSentEvent<Object>> events = new ArrayList<>();
    StepVerifier.create(StoreSse.stream(store, Counter::label, null, everyFive))
        .recordWith(() -> events)
        .expectNextMatches(e -> StoreSse.SNAPSHOT.equals(e.event()))
        .then(() -> increment(store, 50)) // unrelated to the label: 5 history-sizes of versions
        .thenConsumeWhile(e -> !id(store, 50).equals(e.id()))
        .thenCancel()
        .verify(TIMEOUT);
    List<ServerSentEvent<Object>> bookmarks =
        events.stream().filter(e -> StoreSse.BOOKMARK.equals(e.event())).toList();
    assertThat(bookmarks).isNotEmpty();
    assertThat(events).as("no data event: the label never changed")
        .filteredOn(e -> !StoreSse.BOOKMARK.equals(e.event())).hasSize(1);
    List<Long> ids = events.stream().map(e -> VersionToken.parse(e.id()).version()).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    String resumePoint = bookmarks.get(bookmarks.size() - 1).id();
    assertThat(resumePoint).isEqualTo(id(store, 50));

    // Resuming from the last data event needs versions the history no longer has: resync.
    StepVerifier.create(StoreSse.stream(store, Counter::label, id(store, 0), everyFive))
        .expectNextMatches(e -> StoreSse.RESYNC.equals(e.event()))
        .thenCancel()
        .verify(TIMEOUT);
    // Resuming from the bookmark does not, even after more unrelated versions.
    increment(store, 3);
    StepVerifier.create(StoreSse.stream(store, Counter::label, resumePoint, everyFive))
        .expectNextMatches(e -> StoreSse.BOOKMARK.equals(e.event()) && id(store, 53).equals(e.id()))
        .then(() -> store.update(c -> new Counter(c.value(), "relabelled")))
        .expectNextMatches(e -> StoreSse.CHANGE.equals(e.event()) && id(store, 54).equals(e.id())
            && json(e).get("state").asString().equals("relabelled"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void jsonPatch_afterABookmark_isRelativeToTheBookmarksVersion() {
    Store<Counter> store = store(10);
    SseOptions options = NO_HEARTBEAT.withBookmarks(3, Duration.ZERO).withJsonPatch(MAPPER);
    StepVerifier.create(StoreSse.stream(store, Counter::label, null, options))
        .expectNextMatches(e -> StoreSse.SNAPSHOT.equals(e.event()))
        .then(() -> increment(store, 3))
        .expectNextMatches(e -> StoreSse.BOOKMARK.equals(e.event()) && id(store, 3).equals(e.id()))
        .then(() -> store.update(c -> new Counter(c.value(), "four")))
        .expectNextMatches(e -> StoreSse.PATCH.equals(e.event()) && id(store, 4).equals(e.id())
            && json(e).get("from").asLong() == 3)
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void bookmark_onTheTimer_whenVersionsWereSkipped() {
    Store<Counter> store = store(10);
    String third = id(store, 3);
    StepVerifier.create(StoreSse.stream(store, Counter::label, null,
            NO_HEARTBEAT.withBookmarks(1000, Duration.ofMillis(100))))
        .expectNextMatches(e -> StoreSse.SNAPSHOT.equals(e.event()))
        .expectNoEvent(Duration.ofMillis(300)) // nothing skipped: no bookmark
        .then(() -> increment(store, 3))
        // Far fewer than 1000 versions skipped: only the timer sends bookmarks.
        .thenConsumeWhile(e -> StoreSse.BOOKMARK.equals(e.event()) && !third.equals(e.id()))
        .expectNextMatches(e -> StoreSse.BOOKMARK.equals(e.event()) && third.equals(e.id()))
        .expectNoEvent(Duration.ofMillis(300)) // nothing skipped since the bookmark of version 3
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void encodesOncePerVersion_whateverTheNumberOfSubscribers() {
    Store<Counter> store = store(10);
    SseOptions options = NO_HEARTBEAT.withMapper(
        JsonMapper.builder().addModule(new SnapfluxJacksonModule()).build());
    VersionedJson json = VersionedJson.of(store, options.encoder());
    int subscribers = 25;
    List<List<ServerSentEvent<Object>>> received = new ArrayList<>();
    List<Disposable> subscriptions = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      List<ServerSentEvent<Object>> mine = new CopyOnWriteArrayList<>();
      received.add(mine);
      subscriptions.add(StoreSse.stream(store, null, options).subscribe(mine::add));
    }
    for (int version = 1; version <= 5; version++) {
      increment(store, 1);
      String expected = id(store, version);
      await().atMost(TIMEOUT).until(() -> received.stream()
          .allMatch(events -> !events.isEmpty() && expected.equals(events.get(events.size() - 1).id())));
    }
    subscriptions.forEach(Disposable::dispose);
    Set<String> distinct = new HashSet<>();
    received.forEach(events -> events.forEach(e -> distinct.add(e.id())));
    assertThat(distinct).hasSize(6);
    assertThat(received).allSatisfy(events -> assertThat(events).hasSize(6));
    assertThat(json.encodings()).as("one encoding per version for %d subscribers", subscribers)
        .isEqualTo(6);
    // And every subscriber was handed the very same text.
    assertThat(received.get(0).get(3).data()).isSameAs(received.get(subscribers - 1).get(3).data());
    // A GET of the same version shares it too.
    assertThat(json.document(store, store.snapshot())).isSameAs(received.get(0).get(5).data());
    assertThat(json.encodings()).isEqualTo(6);
  }

  @Test
  void heartbeat_commentsEveryPeriod_inVirtualTime() {
    Store<Counter> store = store(0);
    StepVerifier.withVirtualTime(() -> StoreSse.stream(store, id(store, 0),
            SseOptions.defaults().withHeartbeat(Duration.ofSeconds(15))))
        .expectNextMatches(e -> StoreSse.BOOKMARK.equals(e.event()))
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
        .expectNextMatches(e -> isEvent(e, StoreSse.SNAPSHOT, store, 0))
        .then(store::close)
        .thenConsumeWhile(e -> e.comment() != null)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void anySnapshotFlux_withoutHistory_resyncsWhenBehind() {
    Flux<Snapshot<String>> snapshots = Flux.just(Snapshot.of(4, "four", null, 0));
    StepVerifier.create(StoreSse.stream(snapshots, "ep", "ep.2", NO_HEARTBEAT))
        .expectNextMatches(e -> StoreSse.RESYNC.equals(e.event()) && "ep.4".equals(e.id()))
        .expectComplete()
        .verify(TIMEOUT);
  }
}
