package io.snapflux.sample.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapflux.client.ClientMeters;
import io.snapflux.client.RemoteSnapshot;
import io.snapflux.client.RemoteStore;
import io.snapflux.client.VersionToken;
import io.snapflux.client.Written;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Java client against the sample application running in another JVM (started once, with
 * JSON Patch deltas): it survives a kill and restart with a new epoch, a cut connection resumes
 * without a resync, conditional updates retry against a concurrent writer and lose no update, and
 * the examples of docs/client-java.md (the tagged regions below, shown there verbatim) work.
 */
class LiveServerTest {

  private static SampleAppProcess app;

  @BeforeAll
  static void start() throws Exception {
    app = new SampleAppProcess("--snapflux.web.sse.json-patch=true").start();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static void awaitEqualToServer(RemoteStore<JsonNode> mirror) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode server = Http.state(app.uri());
      RemoteSnapshot<JsonNode> held = mirror.snapshot();
      assertThat(held.token()).isEqualTo(
          new VersionToken(server.path("epoch").asString(), server.path("version").asLong()));
      assertThat(held.json()).isEqualTo(server.path("state"));
    });
  }

  @Test
  void aCutConnectionResumesFromItsLastIdWithoutResync() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(app.port());
         RemoteStore<JsonNode> mirror = RemoteStore.builder(proxy.uri())
             .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
             .connect()) {
      mirror.ready().block(Duration.ofSeconds(10));
      assertThat(Http.putFlag(app.uri(), "cut.a", 1)).isBetween(200, 201);
      awaitEqualToServer(mirror);
      VersionToken beforeCut = mirror.snapshot().token();

      proxy.cut();
      for (int i = 2; i <= 6; i++) {
        assertThat(Http.putFlag(app.uri(), "cut.a", i)).isEqualTo(200);
      }
      proxy.restore();

      awaitEqualToServer(mirror);
      assertThat(mirror.snapshot().json().path("flags").path("cut.a").path("rollout").asInt())
          .isEqualTo(6);
      assertThat(proxy.lastEventIds).as("the stream requests' Last-Event-ID")
          .startsWith("-").contains(beforeCut.toString());
      assertThat(mirror.stats().resyncs()).as("resumed, not resynced").isZero();
      assertThat(mirror.stats().rejectedPatches()).isZero();
      assertThat(mirror.stats().reconnects()).isPositive();
    }
  }

  @Test
  void updateRetriesOnConflictAndLosesNoUpdate() throws Exception {
    assertThat(Http.putFlag(app.uri(), "contended", 0)).isBetween(200, 201);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger interfering = new AtomicInteger();
    // Another writer changes the same flag's description all along (a merge patch keeps the
    // rollout), so reads go stale between the client's GET and its PUT.
    Thread other = new Thread(() -> {
      while (!stop.get()) {
        try {
          Http.patchDescription(app.uri(), "contended", "other-" + interfering.incrementAndGet());
        } catch (IOException | InterruptedException e) {
          return;
        }
        LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
      }
    });
    try (RemoteStore<JsonNode> client = RemoteStore.builder(app.uri())
        .basicAuth("admin", "snapflux")
        .conflictRetries(40, Duration.ofMillis(1))
        .connect()) {
      other.start();
      List<Written<JsonNode>> writes = Flux.range(0, 20)
          .concatMap(i -> client.update("/api/flags/contended",
              flag -> ((ObjectNode) flag.deepCopy()).put("rollout", flag.path("rollout").asInt() + 1)))
          .collectList()
          .block(Duration.ofSeconds(30));
      stop.set(true);
      other.join();

      int attempts = writes.stream().mapToInt(Written::attempts).sum();
      System.out.printf("LiveServerTest: 20 updates took %d attempts against %d interfering writes%n",
          attempts, interfering.get());
      assertThat(attempts).as("some attempts conflicted and were retried").isGreaterThan(20);
      assertThat(Http.state(app.uri()).path("state").path("flags").path("contended")
          .path("rollout").asInt()).as("no increment lost").isEqualTo(20);
      VersionToken last = writes.get(writes.size() - 1).token();
      assertThat(client.awaitVersion(last).block(Duration.ofSeconds(10))
          .json().path("flags").path("contended").path("rollout").asInt()).isGreaterThanOrEqualTo(20);
    }
  }

  /**
   * Kills the application (SIGKILL) and starts it again mid-stream, while a writer writes: the
   * in-memory store comes back with a new epoch. The client sees no version twice and none out of
   * order, applies no patch to a wrong base, and ends equal to the server. It leaves the
   * application running, so the other tests do not depend on the order.
   */
  @Test
  void followsTheServerAcrossAKillAndRestartWithANewEpoch() throws Exception {
    try (RemoteStore<JsonNode> mirror = RemoteStore.builder(app.uri())
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
      System.out.printf("LiveServerTest restart: %d states seen, %d checked against their writes, stats %s%n",
          seen.size(), checked.size(), mirror.stats());
    }
  }

  // ---- docs/client-java.md ----

  // tag::types[]
  record Flag(boolean enabled, int rollout, List<String> allow, String description) {
    Flag withRollout(int percent) {
      return new Flag(enabled, percent, allow, description);
    }
  }

  record Flags(Map<String, Flag> flags) {}
  // end::types[]

  @Test
  void docsExamples() throws Exception {
    URI baseUrl = app.uri();
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    Http.putFlag(baseUrl, "dark-mode", 100);

    // tag::connect[]
    RemoteStore<Flags> flags = RemoteStore.builder(baseUrl)
        .basicAuth("admin", "snapflux")   // the sample's writes need it; its reads do not
        .connect(Flags.class);            // or connect() for the state as JsonNode

    RemoteSnapshot<Flags> first = flags.ready().block(Duration.ofSeconds(10));
    System.out.println(first.token() + ": " + first.state().flags().keySet());
    // end::connect[]

    // tag::select[]
    Flux<Integer> darkModeRollout = flags.select(s -> s.flags().get("dark-mode").rollout());
    // end::select[]
    Mono<Integer> halved = darkModeRollout.filter(r -> r == 50).next().cache();
    halved.subscribe();

    // tag::update[]
    Written<Flag> written = flags.update("/api/flags/dark-mode", Flag.class,
            flag -> flag.withRollout(flag.rollout() / 2))
        .block(Duration.ofSeconds(10));

    // Read your own write: wait until the mirror holds the version the write produced.
    RemoteSnapshot<Flags> seen = flags.awaitVersion(written.token())
        .block(Duration.ofSeconds(10));
    // end::update[]

    // tag::meters[]
    ClientMeters.bind(flags, "flags", meterRegistry);
    // end::meters[]

    // tag::close[]
    flags.close();   // completes changes() and select(); snapshot() stays readable
    // end::close[]

    assertThat(first.state().flags()).containsKey("dark-mode");
    assertThat(written.body().rollout()).isEqualTo(50);
    assertThat(written.attempts()).isEqualTo(1);
    assertThat(seen.state().flags().get("dark-mode").rollout()).isEqualTo(50);
    assertThat(halved.block(Duration.ofSeconds(1))).isEqualTo(50);
    assertThat(meterRegistry.get("snapflux.client.version").gauge().value())
        .isEqualTo((double) seen.version());
  }

  @Test
  void docsShowEveryTaggedExampleVerbatim() throws IOException {
    String source = Files.readString(
        Path.of("src/test/java/io/snapflux/sample/client/LiveServerTest.java"));
    String docs = normalize(Files.readString(Path.of("../docs/client-java.md")));
    Matcher m = Pattern.compile("// tag::([a-z-]+)\\[]\\n(.*?)// end::\\1\\[]", Pattern.DOTALL)
        .matcher(source);
    int examples = 0;
    while (m.find()) {
      examples++;
      assertThat(docs).as("docs/client-java.md shows example '%s' verbatim", m.group(1))
          .contains(normalize(m.group(2)));
    }
    assertThat(examples).isEqualTo(6);
  }

  private static String normalize(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }
}
