package io.snapflux.sample.security;

import static io.snapflux.sample.Api.changesNothing;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class SecurityTest {

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  @Test
  void writesWithoutCredentials_are401ProblemsWithBasicChallenge_andChangeNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/anon").contentType(
            MediaType.APPLICATION_JSON).bodyValue("{\"enabled\":true}").exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().valueMatches("WWW-Authenticate", "Basic realm=\"snapflux\".*")
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(401));
    changesNothing(store, () -> client.patch().uri("/api/flags/dark-mode")
        .contentType(Api.MERGE_PATCH).bodyValue("{\"enabled\":false}").exchange()
        .expectStatus().isUnauthorized());
    changesNothing(store, () -> client.delete().uri("/api/flags/dark-mode").exchange()
        .expectStatus().isUnauthorized());
  }

  @Test
  void writesWithBadCredentials_are401_andChangeNothing() {
    changesNothing(store, () -> client.delete().uri("/api/flags/dark-mode")
        .headers(h -> h.setBasicAuth(Api.USER, "wrong")).exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.detail").value(d ->
            assertThat((String) d).contains("not accepted")));
  }

  @Test
  void scriptRequests_getNoBasicChallenge_soBrowsersShowThePagesOwnLogin() {
    client.delete().uri("/api/flags/dark-mode").header("X-Requested-With", "XMLHttpRequest")
        .exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().doesNotExist("WWW-Authenticate");
  }

  @Test
  void readsArePublic_andWhoamiNeedsCredentials() {
    client.get().uri("/api/flags").exchange().expectStatus().isOk();
    client.get().uri("/").exchange().expectStatus().isOk()
        .expectBody(String.class).value(html -> assertThat(html).contains("Feature flags"));
    client.get().uri("/api/whoami").exchange().expectStatus().isUnauthorized();
    client.get().uri("/api/whoami").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.user").isEqualTo(Api.USER);
  }

  @Test
  void thePagesClientModulesArePublic_andOnlyThey() {
    for (String module : new String[] {"index.js", "sse.js", "patch.js"}) {
      client.get().uri("/snapflux-client/" + module).exchange().expectStatus().isOk()
          .expectHeader().contentTypeCompatibleWith("text/javascript")
          .expectBody(String.class).value(js -> assertThat(js).contains("export "));
    }
    client.get().uri("/snapflux-client/").exchange().expectStatus().isUnauthorized();
  }
}
