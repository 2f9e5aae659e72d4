package io.snapflux.sample.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snapflux.client.RemoteSnapshot;
import io.snapflux.client.RemoteStore;
import io.snapflux.client.VersionToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Java client against the sample application in another JVM, killed (SIGKILL) and started
 * again mid-stream: the in-memory store comes back with a new epoch. The client sees no version
 * twice and none out of order, applies no patch to a wrong base, and ends equal to the server.
 */
class RestartTest {

  @Test
  void followsTheServerAcrossAKillAndRestartWithANewEpoch() throws Exception {
    try (SampleAppProcess app = new SampleAppProcess("--snapflux.web.sse.json-patch=true").start();
         RemoteStore<JsonNode> mirror = RemoteStore.builder(app.uri())
             .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
             .connect()) {
      List<RemoteSnapshot<JsonNode>> seen = new CopyOnWriteArrayList<>();
      List<String> disorder = new CopyOnWriteArrayList<>();
      mirror.changes().subscribe(s -> {
        if (!seen.isEmpty()) {
          RemoteSnapshot<JsonNode> before = seen.get(seen.size() - 1);
          if (before.epoch().equals(s.epoch()) && s.version() <= before.version()) {
            disorder.add(before.token() + " then " + s.token());
          }
        }
        seen.add(s);
      });
      String firstEpoch = mirror.ready().block(Duration.ofSeconds(10)).epoch();

      VersionToken before;
      Writer writer = new Writer(app.uri());
      try (writer) {
        await().until(() -> writer.acknowledged.get() >= 30);
        app.kill();
        app.start();
        int acknowledged = writer.acknowledged.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> writer.acknowledged.get() >= acknowledged + 30);
        before = mirror.snapshot().token();
      }
      assertThat(before).isNotNull();

      // Ends equal to the server: same token, same state.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode server = Http.state(app.uri());
        RemoteSnapshot<JsonNode> held = mirror.snapshot();
        assertThat(held.token()).isEqualTo(
            new VersionToken(server.path("epoch").asString(), server.path("version").asLong()));
        assertThat(held.json()).isEqualTo(server.path("state"));
      });
      String secondEpoch = mirror.snapshot().epoch();
      assertThat(secondEpoch).as("a restarted in-memory store has a new epoch").isNotEqualTo(firstEpoch);
      assertThat(disorder).as("versions repeated or out of order").isEmpty();
      assertThat(seen.stream().map(RemoteSnapshot::epoch).distinct()).containsExactly(firstEpoch, secondEpoch);
      assertThat(mirror.stats().resyncs()).isGreaterThanOrEqualTo(1);
      assertThat(mirror.stats().reconnects()).isGreaterThanOrEqualTo(1);
      assertThat(mirror.stats().appliedPatches()).as("the server sent JSON Patch deltas").isPositive();
      assertThat(mirror.stats().rejectedPatches()).as("patches the server sent on a wrong base").isZero();

      // Every state the client held at a version the writer was acknowledged for is that write's
      // state: no patch was applied to a wrong base along the way.
      List<RemoteSnapshot<JsonNode>> checked = seen.stream()
          .filter(s -> writer.written.containsKey(s.token())).toList();
      assertThat(checked).as("versions both written and seen").hasSizeGreaterThan(10);
      assertThat(checked).allSatisfy(s -> assertThat(
              s.json().path("flags").path("w").path("description").asString())
          .as("state at %s", s.token())
          .isEqualTo(writer.written.get(s.token())));
      System.out.printf("RestartTest: %d states seen, %d checked against their writes, stats %s%n",
          seen.size(), checked.size(), mirror.stats());
    }
  }
}
