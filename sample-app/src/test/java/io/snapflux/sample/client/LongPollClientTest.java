package io.snapflux.sample.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.client.RemoteSnapshot;
import io.snapflux.client.RemoteStore;
import io.snapflux.client.VersionToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

/**
 * {@link RemoteStore#poll}: long polling over plain HTTP (protocol §3.2) against the sample
 * application in another JVM, with no event stream open ({@code followStream(false)}).
 */
class LongPollClientTest {

  private static SampleAppProcess app;
  private static RemoteStore<JsonNode> client;

  @BeforeAll
  static void start() throws Exception {
    app = new SampleAppProcess().start();
    client = RemoteStore.builder(app.uri()).followStream(false).connect();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    app.close();
  }

  private static VersionToken serverToken() throws Exception {
    JsonNode state = Http.state(app.uri());
    return new VersionToken(state.path("epoch").asString(), state.path("version").asLong());
  }

  private static void putFlag(String name, int rollout) {
    try {
      assertThat(Http.putFlag(app.uri(), name, rollout)).isBetween(200, 201);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void pollIsHeldUntilAWrite_thenAnswersTheNewerVersion() throws Exception {
    VersionToken before = serverToken();
    StepVerifier.create(client.poll(before, Duration.ofSeconds(20)))
        .expectSubscription()
        .as("held while nothing changes")
        .expectNoEvent(Duration.ofMillis(700))
        .then(() -> putFlag("poll.held", 42))
        .assertNext(s -> {
          assertThat(s.epoch()).isEqualTo(before.epoch());
          assertThat(s.version()).isGreaterThan(before.version());
          assertThat(s.json().path("flags").path("poll.held").path("rollout").asInt())
              .isEqualTo(42);
        })
        .expectComplete()
        .verify(Duration.ofSeconds(20));
  }

  @Test
  void nothingNewerWithinTheWait_isEmpty() throws Exception {
    VersionToken current = serverToken();
    StepVerifier.create(client.poll(current, Duration.ofSeconds(1)))
        .expectSubscription()
        .expectComplete()
        .verify(Duration.ofSeconds(15));
    assertThat(serverToken()).as("nothing written meanwhile, so 304 was right")
        .isEqualTo(current);
  }

  @Test
  void staleOrForeignOrNoToken_answersTheCurrentStateAtOnce() throws Exception {
    putFlag("poll.stale", 1);
    VersionToken current = serverToken();
    VersionToken older = new VersionToken(current.epoch(), current.version() - 1);
    VersionToken foreign = new VersionToken(
        current.epoch().equals("0000000000000000") ? "1111111111111111" : "0000000000000000",
        current.version());
    for (VersionToken after : new VersionToken[] {older, foreign, null}) {
      RemoteSnapshot<JsonNode> s = client.poll(after, Duration.ofSeconds(25))
          .block(Duration.ofSeconds(10)); // far less than the wait: answered at once
      assertThat(s).as("after " + after).isNotNull();
      assertThat(s.token()).isEqualTo(current);
      assertThat(s.json().path("flags").path("poll.stale").path("rollout").asInt()).isEqualTo(1);
    }
  }

  @Test
  void docsExample_pollsUntilTheNextWrite() throws Exception {
    URI base = app.uri();
    VersionToken have = serverToken();
    Mono.delay(Duration.ofMillis(500)).publishOn(Schedulers.boundedElastic())
        .subscribe(tick -> putFlag("poll.docs", 7));
    // tag::poll[]
    try (RemoteStore<JsonNode> poller = RemoteStore.builder(base)
        .followStream(false)                       // no connection held open
        .connect()) {
      // The next version after `have`: each GET is held up to 25 s (the server may grant less,
      // then answers 304 and poll() is empty), so ask again, three times at most.
      RemoteSnapshot<JsonNode> newer = poller.poll(have, Duration.ofSeconds(25))
          .repeatWhenEmpty(attempts -> attempts.take(3))
          .block(Duration.ofMinutes(2));
      // end::poll[]
      assertThat(newer).isNotNull();
      assertThat(newer.version()).isGreaterThan(have.version());
      assertThat(newer.json().path("flags").path("poll.docs").path("rollout").asInt())
          .isEqualTo(7);
    }
  }

  @Test
  void docsShowThePollExampleVerbatim() throws IOException {
    String source = Files.readString(
        Path.of("src/test/java/io/snapflux/sample/client/LongPollClientTest.java"));
    Matcher m = Pattern.compile("// tag::poll\\[]\\n(.*?)// end::poll\\[]", Pattern.DOTALL)
        .matcher(source);
    assertThat(m.find()).isTrue();
    assertThat(normalize(Files.readString(Path.of("../docs/client-java.md"))))
        .contains(normalize(m.group(1)));
  }

  private static String normalize(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void withoutAStream_thereIsNoMirroredSnapshot() {
    assertThatThrownBy(client::snapshot).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aWaitOutOfRangeIsRefused() {
    assertThatThrownBy(() -> client.poll(null, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait");
    assertThatThrownBy(() -> client.poll(null, Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait");
  }
}
