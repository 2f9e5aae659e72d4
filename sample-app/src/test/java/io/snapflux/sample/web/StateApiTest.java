package io.snapflux.sample.web;

import static io.snapflux.sample.Api.admin;
import static io.snapflux.sample.Api.changesNothing;
import static io.snapflux.sample.Api.etag;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class StateApiTest {

  static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT =
      new ParameterizedTypeReference<>() {};

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  @Test
  void getState_returnsVersionAndStateWithETag_andIfNoneMatchGives304() {
    long v = Api.put(store, "state.me", Flag.of(true, 1, "s"));
    client.get().uri("/api/state").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
        .expectBody()
        .jsonPath("$.epoch").isEqualTo(Api.token(store, v).epoch())
        .jsonPath("$.version").isEqualTo(v)
        .jsonPath("$.state.flags['state.me'].rollout").isEqualTo(1)
        .jsonPath("$.state.flags['dark-mode'].enabled").exists();
    client.get().uri("/api/state").header("If-None-Match", etag(store, v)).exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectBody().isEmpty();
    client.get().uri("/api/state").header("If-None-Match", "W/" + etag(store, v)).exchange()
        .expectStatus().isNotModified();
    client.get().uri("/api/state").header("If-None-Match", etag(store, v - 1)).exchange()
        .expectStatus().isOk();
    // A legacy bare version is a tag of another epoch: the full response.
    client.get().uri("/api/state").header("If-None-Match", "\"" + v + "\"").exchange()
        .expectStatus().isOk();
  }

  @Test
  void getState_longPoll_heldUntilTheNextVersion_orAnswered304WhenTheWaitElapses() {
    long v = Api.put(store, "poll.me", Flag.of(true, 1, ""));
    // Nothing changes for a second: 304 with the preference applied.
    client.get().uri("/api/state").header("If-None-Match", etag(store, v))
        .header("Prefer", "wait=1").exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals("Preference-Applied", "wait=1")
        .expectHeader().valueEquals("ETag", etag(store, v));
    // A write while the request waits (made half a second after it is sent): 200 with it.
    reactor.core.publisher.Mono.delay(Duration.ofMillis(500))
        .subscribe(tick -> Api.put(store, "poll.me", Flag.of(false, 1, "")));
    Flux<String> answer = client.get().uri("/api/state").header("If-None-Match", etag(store, v))
        .header("Prefer", "wait=20").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v + 1))
        .expectHeader().valueEquals("Preference-Applied", "wait=20")
        .returnResult(String.class).getResponseBody();
    StepVerifier.create(answer.reduce(String::concat))
        .assertNext(body -> assertThat(body).contains("\"version\":" + (v + 1)))
        .verifyComplete();
  }

  @Test
  void postState_is405Problem() {
    changesNothing(store, () -> client.post().uri("/api/state").headers(admin()).exchange()
        .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(405));
  }

  @Test
  void unknownPath_is404Problem() {
    client.get().uri("/api/nothing-here").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }

  @Test
  void chunkedBodyOver64KiB_isStoppedByTheCodecLimitWith413() {
    String big = "{\"description\":\"" + "x".repeat(70_000) + "\"}";
    // A Flux body has no Content-Length: the request is chunked and read until the limit.
    changesNothing(store, () -> client.put().uri("/api/flags/chunked.big").headers(admin())
        .contentType(MediaType.APPLICATION_JSON)
        .body(Flux.just(big.substring(0, 35_000), big.substring(35_000)), String.class)
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void stream_sendsCurrentSnapshotThenOneEventPerVersion_withIdEqualToVersion() {
    long v = Api.put(store, "stream.me", Flag.of(true, 0, ""));
    Flux<ServerSentEvent<Map<String, Object>>> events = client.get().uri("/api/stream")
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
        .returnResult(EVENT).getResponseBody();

    StepVerifier.create(events)
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo("snapshot");
          assertThat(e.id()).isEqualTo(Api.token(store, v).toString());
          assertThat(e.data()).containsEntry("version", (int) v).containsKey("state")
              .containsEntry("epoch", Api.token(store, v).epoch());
        })
        .then(() -> Api.put(store, "stream.me", Flag.of(true, 42, "")))
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo("change");
          assertThat(e.id()).isEqualTo(Api.token(store, v + 1).toString());
        })
        .thenCancel()
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void stream_withLastEventId_replaysWhatWasMissedInOrder() {
    long v = Api.put(store, "resume.me", Flag.of(true, 0, ""));
    Api.put(store, "resume.me", Flag.of(true, 1, ""));
    Api.put(store, "resume.me", Flag.of(true, 2, ""));

    Flux<ServerSentEvent<Map<String, Object>>> events = client.get().uri("/api/stream")
        .header("Last-Event-ID", Api.token(store, v).toString()).accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk()
        .returnResult(EVENT).getResponseBody();

    StepVerifier.create(events.filter(e -> e.id() != null).map(ServerSentEvent::id))
        .expectNext(Api.token(store, v + 1).toString(), Api.token(store, v + 2).toString())
        .thenCancel()
        .verify(Duration.ofSeconds(30));
  }
}
