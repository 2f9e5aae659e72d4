package io.snapflux.sample.history;

import static io.snapflux.sample.Api.admin;
import static io.snapflux.sample.Api.changesNothing;
import static io.snapflux.sample.Api.etag;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class HistoryApiTest {

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  @Test
  void history_listsRecentVersionsNewestFirstWithCauseAndPerFlagDiff() {
    Api.put(store, "hist.me", Flag.of(true, 10, "h"));
    long v = store.snapshot().version();
    client.patch().uri("/api/flags/hist.me").headers(admin()).contentType(Api.MERGE_PATCH)
        .bodyValue("{\"rollout\":20}").exchange().expectStatus().isOk();

    client.get().uri("/api/history?limit=2").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.version").isEqualTo(v + 1)
        .jsonPath("$.entries.length()").isEqualTo(2)
        .jsonPath("$.entries[0].version").isEqualTo(v + 1)
        .jsonPath("$.entries[0].timestamp").exists()
        .jsonPath("$.entries[0].cause.action").isEqualTo("patch")
        .jsonPath("$.entries[0].cause.flag").isEqualTo("hist.me")
        .jsonPath("$.entries[0].cause.by").isEqualTo("admin")
        .jsonPath("$.entries[0].changes[0].flag").isEqualTo("hist.me")
        .jsonPath("$.entries[0].changes[0].kind").isEqualTo("changed")
        .jsonPath("$.entries[0].changes[0].fields[0]").isEqualTo("rollout")
        .jsonPath("$.entries[0].changes[0].before.rollout").isEqualTo(10)
        .jsonPath("$.entries[0].changes[0].after.rollout").isEqualTo(20)
        .jsonPath("$.entries[1].version").isEqualTo(v);
  }

  @Test
  void history_badLimit_is400NamingLimit() {
    client.get().uri("/api/history?limit=0").exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.field").isEqualTo("limit");
  }

  @Test
  void undo_revertsTheNewestChangesOneByOne_asNewVersions() {
    long v0 = Api.put(store, "undo.me", Flag.of(true, 1, ""));
    long v1 = Api.put(store, "undo.me", Flag.of(true, 2, ""));
    long v2 = Api.put(store, "undo.me", Flag.of(true, 3, ""));

    client.post().uri("/api/undo").headers(admin()).header("If-Match", etag(store, v2)).exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v2 + 1))
        .expectBody()
        .jsonPath("$.version").isEqualTo(v2 + 1)
        .jsonPath("$.state.flags['undo.me'].rollout").isEqualTo(2)
        .jsonPath("$.cause.undoneVersion").isEqualTo(v2)
        .jsonPath("$.cause.by").isEqualTo(Api.USER)
        .jsonPath("$.cause.restoredVersion").isEqualTo(v1);
    client.post().uri("/api/undo").headers(admin()).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.state.flags['undo.me'].rollout").isEqualTo(1);
    assertThat(store.get().flag("undo.me").get().rollout()).isEqualTo(1);
    assertThat(store.snapshot().version()).isEqualTo(v0 + 4);

    client.get().uri("/api/history?limit=1").exchange()
        .expectBody()
        .jsonPath("$.entries[0].cause.action").isEqualTo("undo")
        .jsonPath("$.entries[0].cause.by").isEqualTo(Api.USER)
        .jsonPath("$.entries[0].changes[0].before.rollout").isEqualTo(2)
        .jsonPath("$.entries[0].changes[0].after.rollout").isEqualTo(1);
  }

  @Test
  void undo_staleIfMatch_is412NamingCurrentVersion_andChangesNothing() {
    long v = Api.put(store, "undo.stale", Flag.of(true, 1, ""));
    changesNothing(store, () -> client.post().uri("/api/undo").headers(admin())
        .header("If-Match", etag(store, v - 1)).exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectBody().jsonPath("$.currentVersion").isEqualTo(v));

    // Nothing was undone: with the current tag, the same change is still the one to undo.
    client.post().uri("/api/undo").headers(admin()).header("If-Match", etag(store, v)).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.cause.undoneVersion").isEqualTo(v);
  }

  @Test
  void undo_malformedIfMatch_is400NamingTheHeader_andChangesNothing() {
    Api.put(store, "undo.malformed", Flag.of(true, 1, ""));
    changesNothing(store, () -> client.post().uri("/api/undo").headers(admin())
        .header("If-Match", "\"3").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.header").isEqualTo("If-Match"));
  }

  @Test
  void undo_withoutCredentials_is401_andChangesNothing() {
    Api.put(store, "undo.anonymous", Flag.of(true, 1, ""));
    changesNothing(store, () -> client.post().uri("/api/undo").exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void undo_wrongMethod_is405() {
    changesNothing(store, () -> client.get().uri("/api/undo").exchange()
        .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED));
  }
}
