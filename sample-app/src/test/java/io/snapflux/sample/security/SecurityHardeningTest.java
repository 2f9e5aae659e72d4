package io.snapflux.sample.security;

import static io.snapflux.sample.Api.admin;
import static io.snapflux.sample.Api.changesNothing;
import static io.snapflux.sample.Api.etag;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Store;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What a black-box attack found (issue 14), each as a request that must change nothing.
 *
 * <p>The context trusts forwarded headers, so each test poses as its own client address with
 * {@code X-Forwarded-For} and the failed-authentication throttle (limit 3 here) of one test never
 * reaches another.
 */
@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {SecurityHardeningTest.LIMIT, SecurityHardeningTest.FORWARDED})
final class SecurityHardeningTest {

  static final String LIMIT = "sample.security.failed-authentication.limit=3";
  static final String FORWARDED = "server.forward-headers-strategy=framework";

  private static final AtomicInteger clients = new AtomicInteger();

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;
  @LocalServerPort int port;

  /** A client address of its own for one test. */
  private static String newClient() {
    return "192.0.2." + clients.incrementAndGet();
  }

  // ---- cross-site writes ----------------------------------------------------------------------

  @Test
  void crossSiteFormPost_withTheAdminsCachedCredentials_is403_andChangesNothing() {
    Api.put(store, "csrf.victim", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.post().uri("/api/undo")
        .headers(admin())
        .header("X-Forwarded-For", newClient())
        .header(HttpHeaders.ORIGIN, "https://evil.example")
        .header("Sec-Fetch-Site", "cross-site")
        .contentType(MediaType.APPLICATION_FORM_URLENCODED)
        .bodyValue("a=b")
        .exchange()
        .expectStatus().isForbidden()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.title").isEqualTo("Cross-site write refused"));
  }

  @Test
  void foreignOrigin_withoutFetchMetadata_is403_andChangesNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/csrf.put")
        .headers(admin())
        .header(HttpHeaders.ORIGIN, "https://evil.example")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true}")
        .exchange()
        .expectStatus().isForbidden());
    changesNothing(store, () -> client.delete().uri("/api/flags/dark-mode")
        .headers(admin())
        .header(HttpHeaders.ORIGIN, "null")
        .exchange()
        .expectStatus().isForbidden());
    changesNothing(store, () -> client.delete().uri("/api/flags/dark-mode")
        .headers(admin())
        .header("Sec-Fetch-Site", "same-site")
        .exchange()
        .expectStatus().isForbidden());
  }

  @Test
  void sameOriginWrites_fromThePage_areAccepted() {
    client.put().uri("/api/flags/csrf.same")
        .headers(admin())
        .header(HttpHeaders.ORIGIN, "http://localhost:" + port)
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true}")
        .exchange()
        .expectStatus().isCreated();
    long v = store.snapshot().version();
    client.patch().uri("/api/flags/csrf.same")
        .headers(admin())
        .header("Sec-Fetch-Site", "same-origin")
        .header(HttpHeaders.ORIGIN, "http://localhost:" + port)
        .header(HttpHeaders.IF_MATCH, etag(store, v))
        .contentType(Api.MERGE_PATCH)
        .bodyValue("{\"rollout\":5}")
        .exchange()
        .expectStatus().isOk();
    assertThat(store.snapshot().version()).isEqualTo(v + 1);
  }

  @Test
  void crossSiteReads_arePublicAsBefore() {
    client.get().uri("/api/state").header(HttpHeaders.ORIGIN, "https://elsewhere.example")
        .header("Sec-Fetch-Site", "cross-site")
        .exchange()
        .expectStatus().isOk();
  }

  // ---- no native browser dialog ---------------------------------------------------------------

  @Test
  void browserRequests_neverGetABasicChallenge_otherClientsDo() {
    client.get().uri("/api/whoami").header("Sec-Fetch-Mode", "navigate").exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
    client.delete().uri("/api/flags/dark-mode").header(HttpHeaders.ORIGIN, "http://localhost:" + port)
        .exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
    client.get().uri("/api/whoami").exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().valueMatches(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"snapflux\".*");
  }

  // ---- throttling -----------------------------------------------------------------------------

  @Test
  void failedAuthentication_pastTheLimit_is429WithRetryAfter_andOtherClientsAreUnaffected() {
    String guesser = newClient();
    for (int i = 0; i < 3; i++) {
      changesNothing(store, () -> client.delete().uri("/api/flags/dark-mode")
          .header("X-Forwarded-For", guesser)
          .headers(h -> h.setBasicAuth(Api.USER, "guess"))
          .exchange()
          .expectStatus().isUnauthorized());
    }
    Api.put(store, "throttle.kept", Flag.of(true, 1, ""));
    changesNothing(store, () -> client.delete().uri("/api/flags/throttle.kept")
        .header("X-Forwarded-For", guesser)
        .headers(admin())
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
        .expectHeader().value(HttpHeaders.RETRY_AFTER, s -> assertThat(Long.parseLong(s))
            .isBetween(1L, 60L))
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
    // Public reads from the same address, and the admin elsewhere, are unaffected.
    client.get().uri("/api/state").header("X-Forwarded-For", guesser).exchange()
        .expectStatus().isOk();
    client.get().uri("/api/whoami").header("X-Forwarded-For", newClient()).headers(admin())
        .exchange()
        .expectStatus().isOk();
  }

  @Test
  void successfulRequests_neverCountAgainstTheLimit() {
    String admin = newClient();
    for (int i = 0; i < 10; i++) {
      client.get().uri("/api/whoami").header("X-Forwarded-For", admin).headers(admin())
          .exchange()
          .expectStatus().isOk();
    }
  }

  // ---- malformed credentials ------------------------------------------------------------------

  @Test
  void malformedAuthorization_isA401LikeAWrongPassword_evenOnAPublicRead() {
    for (String header : new String[] {"Basic !!!", "Basic", "Bearer abc",
        "Basic " + java.util.Base64.getEncoder().encodeToString("no-colon".getBytes())}) {
      client.get().uri("/api/state").header("X-Forwarded-For", newClient())
          .header(HttpHeaders.AUTHORIZATION, header)
          .exchange()
          .expectStatus().isUnauthorized()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    client.get().uri("/api/state").header("X-Forwarded-For", newClient())
        .headers(h -> h.setBasicAuth(Api.USER, "wrong"))
        .exchange()
        .expectStatus().isUnauthorized();
  }

  // ---- deny by default ------------------------------------------------------------------------

  @Test
  void unknownPathsOutsideTheApi_needTheAdmin_healthProbesDoNot() {
    client.get().uri("/actuator/env").exchange().expectStatus().isUnauthorized();
    client.get().uri("/anything/else").exchange().expectStatus().isUnauthorized();
    client.get().uri("/actuator/health/liveness").exchange()
        .expectStatus().value(s -> assertThat(s).isNotIn(401, 403));
  }

  // ---- content negotiation before commit ------------------------------------------------------

  @Test
  void put_withAnAcceptItCannotSatisfy_is406_andCreatesNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/neg.put")
        .headers(admin())
        .accept(MediaType.TEXT_PLAIN)
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true}")
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.NOT_ACCEPTABLE)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
    assertThat(store.snapshot().state().flags().containsKey("neg.put")).isFalse();
  }

  @Test
  void undo_withAnAcceptItCannotSatisfy_is406_andUndoesNothing() {
    Api.put(store, "neg.undo", Flag.of(true, 1, ""));
    changesNothing(store, () -> client.post().uri("/api/undo")
        .headers(admin())
        .accept(MediaType.TEXT_HTML)
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.NOT_ACCEPTABLE));
  }

  @Test
  void writes_withAGarbageAccept_areRefusedWithAProblem_andChangeNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/neg.garbage")
        .headers(admin())
        .header(HttpHeaders.ACCEPT, "garbage")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true}")
        .exchange()
        .expectStatus().value(s -> assertThat(s).isIn(400, 406))
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  // ---- HEAD and firewall ----------------------------------------------------------------------

  @Test
  void headOfThePage_is200LikeGet() {
    client.head().uri("/").exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML);
  }

  @Test
  void firewallRejection_isAProblem() {
    client.get().uri("/api/flags/{name}", "a/b").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }
}
