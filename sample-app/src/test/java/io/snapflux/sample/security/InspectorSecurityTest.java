package io.snapflux.sample.security;

import static io.snapflux.sample.Api.changesNothing;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Store;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The Snapflux Inspector in the sample: on in the default configuration, admin only (page and
 * API), its writes under the cross-site rules of {@link CrossSiteWriteFilter}.
 */
@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class InspectorSecurityTest {

  private static final String API = "/snapflux/inspector/api/stores";

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  @Test
  void withoutCredentials_theApiIs401Problems_andNothingChanges() {
    for (String path : new String[] {API, API + "/flags", API + "/flags/state",
        API + "/flags/versions", API + "/flags/stream", API + "/flags/export?from=0&to=0"}) {
      client.get().uri(path).exchange()
          .expectStatus().isUnauthorized()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    changesNothing(store, () -> client.post().uri(API + "/flags/restore")
        .header(HttpHeaders.IF_MATCH, Api.etag(store, store.snapshot().version()))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":0}").exchange()
        .expectStatus().isUnauthorized());
  }

  /** The page and its files hold no data; a browser must load them to sign in at all. */
  @Test
  void withoutCredentials_thePageAndItsFilesLoad_butNothingElseUnderTheBasePath() {
    client.get().uri("/snapflux/inspector/").exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML);
    client.get().uri("/snapflux/inspector").exchange()
        .expectStatus().isPermanentRedirect();
    for (String file : new String[] {"inspector.js", "inspector.css", "client/index.js"}) {
      client.get().uri("/snapflux/inspector/static/" + file).exchange()
          .expectStatus().isOk();
    }
    // HEAD passes security too (what the router answers to it is the starter's business).
    client.head().uri("/snapflux/inspector/static/inspector.js").exchange()
        .expectStatus().value(status -> assertThat(status).isNotIn(401, 403));
    // Only GET and HEAD: any other method on the page's paths still needs the admin.
    client.post().uri("/snapflux/inspector/static/inspector.js")
        .header("Sec-Fetch-Site", "same-origin").exchange()
        .expectStatus().isUnauthorized();
  }

  @Test
  void withAdmin_pageAndApiAnswer() {
    client.get().uri("/snapflux/inspector/").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML);
    client.get().uri(API).headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$[0].name").isEqualTo("flags")
        .jsonPath("$[0].history").isEqualTo(true);
    client.get().uri(API + "/flags/state").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG,
            Api.etag(store, store.snapshot().version()));
  }

  @Test
  void crossSiteRestore_isRefused403BeforeAuthentication_andChangesNothing() {
    long version = store.update(s -> s).version();
    changesNothing(store, () -> client.post().uri(API + "/flags/restore").headers(Api.admin())
        .header("Origin", "https://evil.example").header("Sec-Fetch-Site", "cross-site")
        .header(HttpHeaders.IF_MATCH, Api.etag(store, version))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":0}").exchange()
        .expectStatus().isForbidden()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void sameOriginRestoreByTheAdmin_commitsTheOldStateWithACauseNamingTheAdmin() {
    var before = store.snapshot();
    long changed = Api.put(store, "inspector-test", Flag.of(true, 50, "restored away"));
    client.post().uri(API + "/flags/restore").headers(Api.admin())
        .header("Sec-Fetch-Site", "same-origin")
        .header(HttpHeaders.IF_MATCH, Api.etag(store, changed))
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"version\":" + before.version() + "}")
        .exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, Api.etag(store, changed + 1));
    var now = store.snapshot();
    assertThat(now.version()).isEqualTo(changed + 1);
    assertThat(now.state()).isEqualTo(before.state());
    assertThat(now.cause()).isEqualTo(
        Map.of("inspector", "restore", "version", before.version(), "by", Api.USER));
  }

  @Test
  void revertOfAnOlderFlagChange_decodesTheFlagsStateAndKeepsLaterChanges() {
    long first = Api.put(store, "revert-a", Flag.of(true, 10, "first"));
    long second = Api.put(store, "revert-b", Flag.of(false, 20, "second"));
    client.post().uri(API + "/flags/revert").headers(Api.admin())
        .header("Sec-Fetch-Site", "same-origin")
        .header(HttpHeaders.IF_MATCH, Api.etag(store, second))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":" + first + "}")
        .exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, Api.etag(store, second + 1));
    assertThat(store.snapshot().state().flag("revert-a").isEmpty()).isTrue();
    assertThat(store.snapshot().state().flag("revert-b").get())
        .isEqualTo(Flag.of(false, 20, "second"));
  }
}
