package io.snapflux.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Runs the client's stream and write paths under BlockHound: nothing it does on Reactor Netty's
 * event loop blocks. A canary first proves that a blocking call on that loop is reported.
 */
@Tag("blockhound")
class BlockHoundTest {

  private static final List<String> BLOCKED = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void install() {
    BlockHound.install(builder -> builder.blockingMethodCallback(
        method -> BLOCKED.add(method + " on " + Thread.currentThread().getName())));
  }

  @Test
  void theStreamAndConditionalWritesNeverBlockAnEventLoop() throws Exception {
    AtomicInteger version = new AtomicInteger(1);
    try (FakeServer server = new FakeServer();
         RemoteStore<JsonNode> store = RemoteStore.builder(server.uri())
             .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
             .conflictRetries(3, Duration.ofMillis(1))
             .connect()) {
      server.onGet = (request, body) ->
          new FakeServer.Answer(200, "\"e." + version.get() + "\"", "{}");
      server.onPut = (request, body) -> version.getAndIncrement() == 1
          ? new FakeServer.Answer(412, "\"e.2\"", "{}")
          : new FakeServer.Answer(200, "\"e.3\"", body);

      // The canary: a blocking call in a subscriber on the event loop is caught.
      store.changes().take(1).subscribe(s -> {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Error e) {
          // BlockHound's callback recorded it.
        }
      });
      FakeServer.Connection c = server.nextConnection();
      c.send("snapshot", "e.1", RemoteStoreTest.doc("e", 1, "{\"a\":1}"));
      await().until(() -> !BLOCKED.isEmpty());
      assertThat(BLOCKED).anySatisfy(b -> assertThat(b).contains("sleep").contains("reactor-http"));
      BLOCKED.clear();

      // The real paths: patches, a wrong base, a reconnect, a resync, selections, a retried write.
      List<Integer> selected = new CopyOnWriteArrayList<>();
      store.select(s -> s.path("a").asInt()).subscribe(selected::add);
      c.send("patch", "e.2", RemoteStoreTest.patch("e", 2, 1,
              "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]"))
          .send("patch", "e.9", RemoteStoreTest.patch("e", 9, 7, "[]"));
      FakeServer.Connection again = server.nextConnection();
      again.send("resync", "f.1", RemoteStoreTest.doc("f", 1, "{\"a\":5}"));
      store.awaitVersion(new VersionToken("f", 1)).block(Duration.ofSeconds(5));
      Written<JsonNode> written = store.update("/api/flags/x", n -> n)
          .block(Duration.ofSeconds(5));
      again.end();
      server.nextConnection().send("bookmark", "f.4", "{\"epoch\":\"f\",\"version\":4}");
      await().until(() -> store.stats().events() >= 5);
      Mono.delay(Duration.ofMillis(50)).block();

      assertThat(written.attempts()).isEqualTo(2);
      assertThat(selected).containsExactly(1, 2, 5);
      assertThat(BLOCKED).isEmpty();
    }
  }
}
