package io.snapflux.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class RemoteStoreTest {

  private final FakeServer server = new FakeServer();
  private RemoteStore<JsonNode> store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
    server.close();
  }

  private RemoteStore<JsonNode> connect() {
    store = RemoteStore.builder(server.uri())
        .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .conflictRetries(3, Duration.ofMillis(1))
        .connect();
    return store;
  }

  static String doc(String epoch, long version, String state) {
    return "{\"epoch\":\"" + epoch + "\",\"version\":" + version + ",\"state\":" + state
        + ",\"timestamp\":\"2026-12-01T07:30:00.123Z\"}";
  }

  static String patch(String epoch, long version, long from, String ops) {
    return "{\"epoch\":\"" + epoch + "\",\"version\":" + version + ",\"from\":" + from
        + ",\"patch\":" + ops + "}";
  }

  private List<String> tokens(List<RemoteSnapshot<JsonNode>> seen) {
    return seen.stream().map(s -> s.token() + " " + s.state()).toList();
  }

  @Test
  void followsSnapshotChangesAndPatchesInOrder() throws Exception {
    connect();
    List<RemoteSnapshot<JsonNode>> seen = new CopyOnWriteArrayList<>();
    Disposable d = store.changes().subscribe(seen::add);
    FakeServer.Connection c = server.nextConnection();
    assertThat(c.lastEventId).isNull();
    c.send("snapshot", "e.1", doc("e", 1, "{\"a\":1}"))
        .send("change", "e.2", doc("e", 2, "{\"a\":2}"))
        .send("patch", "e.4", patch("e", 4, 2, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":4}]"))
        .raw(":heartbeat\n\n");
    await().untilAsserted(() -> assertThat(tokens(seen))
        .containsExactly("e.1 {\"a\":1}", "e.2 {\"a\":2}", "e.4 {\"a\":4}"));
    assertThat(store.snapshot().version()).isEqualTo(4);
    assertThat(store.stats().appliedPatches()).isEqualTo(1);
    assertThat(seen.get(1).timestamp()).hasToString("2026-12-01T07:30:00.123Z");
    assertThat(seen.get(2).timestamp()).as("the patch carried none").isNull();
    d.dispose();
  }

  @Test
  void ignoresAChangeOrPatchThatIsNotNewer() throws Exception {
    connect();
    List<RemoteSnapshot<JsonNode>> seen = new CopyOnWriteArrayList<>();
    store.changes().subscribe(seen::add);
    server.nextConnection()
        .send("snapshot", "e.5", doc("e", 5, "{\"a\":5}"))
        .send("change", "e.4", doc("e", 4, "{\"a\":4}"))
        .send("patch", "e.5", patch("e", 5, 4, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":0}]"))
        .send("change", "e.6", doc("e", 6, "{\"a\":6}"));
    await().untilAsserted(() -> assertThat(tokens(seen))
        .containsExactly("e.5 {\"a\":5}", "e.6 {\"a\":6}"));
    assertThat(store.stats().rejectedPatches()).isZero();
  }

  @Test
  void aPatchFromAnotherBaseIsNeverAppliedAndTheClientStartsOver() throws Exception {
    connect();
    List<RemoteSnapshot<JsonNode>> seen = new CopyOnWriteArrayList<>();
    store.changes().subscribe(seen::add);
    server.nextConnection()
        .send("snapshot", "e.1", doc("e", 1, "{\"a\":1}"))
        // from 2: the client holds 1, so this patch's base is not its state.
        .send("patch", "e.3", patch("e", 3, 2, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":3}]"));
    FakeServer.Connection again = server.nextConnection();
    assertThat(again.lastEventId).as("a restart without Last-Event-ID").isNull();
    again.send("snapshot", "e.3", doc("e", 3, "{\"a\":33}"));
    await().untilAsserted(() -> assertThat(tokens(seen))
        .containsExactly("e.1 {\"a\":1}", "e.3 {\"a\":33}"));
    assertThat(store.stats().rejectedPatches()).isEqualTo(1);
    assertThat(store.stats().reconnects()).isEqualTo(1);
  }

  @Test
  void aPatchOfAnotherEpochIsNeverApplied() throws Exception {
    connect();
    List<RemoteSnapshot<JsonNode>> seen = new CopyOnWriteArrayList<>();
    store.changes().subscribe(seen::add);
    server.nextConnection()
        .send("snapshot", "e.1", doc("e", 1, "{\"a\":1}"))
        .send("patch", "f.2", patch("f", 2, 1, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]"));
    FakeServer.Connection again = server.nextConnection();
    assertThat(again.lastEventId).isNull();
    again.send("snapshot", "f.2", doc("f", 2, "{\"a\":22}"));
    await().untilAsserted(() -> assertThat(tokens(seen))
        .containsExactly("e.1 {\"a\":1}", "f.2 {\"a\":22}"));
    assertThat(store.stats().resyncs()).isEqualTo(1);
  }

  @Test
  void aDroppedStreamResumesFromTheLastIdWithBackoff() throws Exception {
    connect();
    FakeServer.Connection first = server.nextConnection();
    first.send("snapshot", "e.1", doc("e", 1, "{\"a\":1}"))
        .send("change", "e.2", doc("e", 2, "{\"a\":2}"));
    await().until(() -> store.stats().events() == 2);
    first.end();
    FakeServer.Connection second = server.nextConnection();
    assertThat(second.lastEventId).isEqualTo("e.2");
    second.send("patch", "e.3", patch("e", 3, 2, "[{\"op\":\"add\",\"path\":\"/b\",\"value\":true}]"));
    await().untilAsserted(() ->
        assertThat(store.snapshot().state().toString()).isEqualTo("{\"a\":2,\"b\":true}"));
    assertThat(store.stats().reconnects()).isEqualTo(1);
    assertThat(store.stats().resyncs()).isZero();
  }

  @Test
  void aBookmarkMovesTheResumePointAndIsAPatchBase() throws Exception {
    connect();
    FakeServer.Connection first = server.nextConnection();
    first.send("snapshot", "e.1", doc("e", 1, "{\"a\":1}"))
        .send("bookmark", "e.60", "{\"epoch\":\"e\",\"version\":60}");
    await().until(() -> store.stats().events() == 2);
    assertThat(store.snapshot().version()).as("a bookmark changes no state").isEqualTo(1);
    assertThat(store.stats().versionsBehind()).as("but names the same state at 60").isZero();
    first.end();
    FakeServer.Connection second = server.nextConnection();
    assertThat(second.lastEventId).isEqualTo("e.60");
    second.send("patch", "e.61", patch("e", 61, 60, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":61}]"));
    await().untilAsserted(() -> assertThat(store.snapshot().token()).hasToString("e.61"));
    assertThat(store.snapshot().state().path("a").asInt()).isEqualTo(61);
  }

  @Test
  void aResyncReplacesTheStateAndEndsWaitsForTheOldEpoch() throws Exception {
    connect();
    FakeServer.Connection first = server.nextConnection();
    first.send("snapshot", "e.7", doc("e", 7, "{\"a\":7}"));
    store.ready().block(Duration.ofSeconds(5));
    var waitOld = store.awaitVersion(new VersionToken("e", 9));
    var waitNew = store.awaitVersion(new VersionToken("f", 2));
    first.end();
    FakeServer.Connection second = server.nextConnection();
    assertThat(second.lastEventId).isEqualTo("e.7");
    second.send("resync", "f.2", doc("f", 2, "{\"z\":0}"));
    StepVerifier.create(waitOld).expectError(EpochChangedException.class).verify(Duration.ofSeconds(5));
    StepVerifier.create(waitNew).assertNext(s -> assertThat(s.state().toString()).isEqualTo("{\"z\":0}"))
        .verifyComplete();
    assertThat(store.stats().resyncs()).isEqualTo(1);
  }

  @Test
  void aResyncToTheTokenHeldChangesNothingAnOlderOneReplacesTheState() throws Exception {
    connect();
    List<RemoteSnapshot<JsonNode>> seen = new CopyOnWriteArrayList<>();
    store.changes().subscribe(seen::add);
    FakeServer.Connection c = server.nextConnection();
    c.send("snapshot", "e.5", doc("e", 5, "{\"a\":5}"))
        .send("resync", "e.5", doc("e", 5, "{\"a\":5}"))
        .send("resync", "e.3", doc("e", 3, "{\"a\":3}"));
    await().untilAsserted(() -> assertThat(tokens(seen))
        .containsExactly("e.5 {\"a\":5}", "e.3 {\"a\":3}"));
    assertThat(store.stats().resyncs()).isEqualTo(2);
  }

  @Test
  void awaitVersionCompletesWhenTheVersionArrives() throws Exception {
    connect();
    FakeServer.Connection c = server.nextConnection();
    c.send("snapshot", "e.1", doc("e", 1, "{}"));
    var wait = store.awaitVersion(new VersionToken("e", 3)).cache();
    wait.subscribe();
    c.send("change", "e.2", doc("e", 2, "{}"));
    await().until(() -> store.snapshot().version() == 2);
    assertThat(wait.toFuture()).isNotDone();
    c.send("change", "e.4", doc("e", 4, "{}"));
    StepVerifier.create(wait).assertNext(s -> assertThat(s.version()).isEqualTo(4)).verifyComplete();
  }

  @Test
  void selectEmitsOnlyWhenThePartChanges() throws Exception {
    connect();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    store.select(s -> s.path("a").asInt()).subscribe(seen::add);
    server.nextConnection()
        .send("snapshot", "e.1", doc("e", 1, "{\"a\":1,\"b\":1}"))
        .send("change", "e.2", doc("e", 2, "{\"a\":1,\"b\":2}"))
        .send("change", "e.3", doc("e", 3, "{\"a\":3,\"b\":2}"));
    await().until(() -> store.snapshot().version() == 3);
    assertThat(seen).containsExactly(1, 3);
  }

  @Test
  void changesConflateForASlowSubscriber() throws Exception {
    connect();
    FakeServer.Connection c = server.nextConnection();
    c.send("snapshot", "e.1", doc("e", 1, "{}"));
    store.ready().block(Duration.ofSeconds(5));
    StepVerifier.create(store.changes(), 1)
        .assertNext(s -> assertThat(s.version()).isEqualTo(1))
        .then(() -> {
          for (int v = 2; v <= 50; v++) {
            c.send("change", "e." + v, doc("e", v, "{}"));
          }
        })
        .then(() -> await().until(() -> store.snapshot().version() == 50))
        .thenRequest(1)
        .assertNext(s -> assertThat(s.version()).isEqualTo(50))
        .thenCancel()
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void aClientErrorEndsTheStreamAServerErrorIsRetried() throws Exception {
    server.streamStatus = 503;
    connect();
    await().until(() -> store.stats().reconnects() >= 2);
    server.streamStatus = 404;
    StepVerifier.create(store.changes())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteStoreException.class)
            .hasMessageContaining("answered 404")
            .extracting(x -> ((RemoteStoreException) x).status()).isEqualTo(404))
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void anUndecodableStateEndsTheStream() throws Exception {
    store = RemoteStore.builder(server.uri()).connect(s -> {
      throw new IllegalArgumentException("not a flag set");
    });
    server.nextConnection().send("snapshot", "e.1", doc("e", 1, "[]"));
    StepVerifier.create(store.changes())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteStoreException.class)
            .hasMessageContaining("Could not decode the state of e.1")
            .hasMessageContaining("not a flag set"))
        .verify(Duration.ofSeconds(5));
    assertThatThrownBy(() -> store.snapshot()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No state received");
  }

  @Test
  void closeCompletesChanges() throws Exception {
    connect();
    server.nextConnection().send("snapshot", "e.1", doc("e", 1, "{}"));
    StepVerifier.create(store.changes())
        .expectNextCount(1)
        .then(store::close)
        .verifyComplete();
    assertThat(store.snapshot().version()).as("the last state stays readable").isEqualTo(1);
  }

  @Test
  void updateRetriesOnConflictByReReading() throws Exception {
    AtomicInteger version = new AtomicInteger(1);
    AtomicInteger refusals = new AtomicInteger(2);
    server.onGet = (request, body) -> new FakeServer.Answer(200, "\"e." + version.get() + "\"",
        "{\"n\":" + version.get() + "}");
    server.onPut = (request, body) -> {
      if (refusals.getAndDecrement() > 0) {
        version.incrementAndGet(); // another writer got there first
        return new FakeServer.Answer(412, "\"e." + version.get() + "\"", "{}");
      }
      return new FakeServer.Answer(200, "\"e." + version.incrementAndGet() + "\"", body);
    };
    connect();
    Written<JsonNode> written = store.update("/api/flags/x",
        n -> ((ObjectNode) n.deepCopy()).put("seen", n.path("n").asInt()))
        .block(Duration.ofSeconds(5));
    assertThat(written.attempts()).isEqualTo(3);
    assertThat(written.eTag()).isEqualTo("\"e.4\"");
    assertThat(written.token()).isEqualTo(new VersionToken("e", 4));
    assertThat(written.body().path("seen").asInt()).as("computed from the third read").isEqualTo(3);
    // The stream has not delivered e.4 yet: the mirror (at e.1) knows it is 3 versions behind.
    FakeServer.Connection c = server.nextConnection();
    c.send("snapshot", "e.1", doc("e", 1, "{}"));
    await().untilAsserted(() -> assertThat(store.stats().versionsBehind()).isEqualTo(3));
    c.send("change", "e.4", doc("e", 4, "{}"));
    await().untilAsserted(() -> assertThat(store.stats().versionsBehind()).isZero());
    assertThat(server.requests).filteredOn(r -> r.startsWith("PUT"))
        .containsExactly("PUT /api/flags/x \"e.1\"", "PUT /api/flags/x \"e.2\"",
            "PUT /api/flags/x \"e.3\"");
  }

  @Test
  void updateGivesUpAfterItsBudgetNamingTheAttempts() {
    server.onPut = (request, body) -> new FakeServer.Answer(412, "\"e.9\"", "{}");
    connect();
    StepVerifier.create(store.update("/api/flags/x", n -> n))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(ConflictRetriesExhaustedException.class)
              .hasMessageContaining("/api/flags/x").hasMessageContaining("all 3 attempts");
          assertThat(((ConflictRetriesExhaustedException) e).attempts()).isEqualTo(3);
          assertThat(e.getCause()).isInstanceOf(PreconditionFailedException.class);
          assertThat(((PreconditionFailedException) e.getCause()).currentETag()).isEqualTo("\"e.9\"");
        })
        .verify(Duration.ofSeconds(5));
    assertThat(server.requests).filteredOn(r -> r.startsWith("PUT")).hasSize(3);
  }

  @Test
  void updateReportsOtherRefusalsWithoutRetrying() {
    server.onPut = (request, body) -> new FakeServer.Answer(400, null, "{\"detail\":\"bad\"}");
    connect();
    StepVerifier.create(store.update("/api/flags/x", n -> n))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RemoteStoreException.class)
            .hasMessageContaining("PUT /api/flags/x answered 400"))
        .verify(Duration.ofSeconds(5));
    assertThat(server.requests).filteredOn(r -> r.startsWith("PUT")).hasSize(1);
  }

  @Test
  void builderRefusesBadSettings() {
    var builder = RemoteStore.builder(server.uri());
    assertThatThrownBy(() -> builder.conflictRetries(0, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempts must be at least 1");
    assertThatThrownBy(() -> builder.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < min <= max");
    assertThatThrownBy(() -> RemoteStore.builder(java.net.URI.create("ftp://x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
  }
}
