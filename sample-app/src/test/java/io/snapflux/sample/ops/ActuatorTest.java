package io.snapflux.sample.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The sample's Actuator: probes are public; health with the store's details, {@code
 * /actuator/snapflux}, metrics and the Prometheus scrape need the admin credentials.
 */
@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class ActuatorTest {

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  @Test
  void probes_arePublicAndUp() {
    client.get().uri("/actuator/health/liveness").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.status").isEqualTo("UP");
    client.get().uri("/actuator/health/readiness").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.status").isEqualTo("UP");
  }

  @Test
  void managementEndpoints_withoutCredentials_are401() {
    for (String path : new String[] {"/actuator/health", "/actuator/snapflux",
        "/actuator/metrics", "/actuator/prometheus"}) {
      client.get().uri(path).exchange().expectStatus().isUnauthorized();
    }
  }

  @Test
  void health_forTheAdmin_showsTheFlagStoreWithItsDetails() {
    long version = Api.put(store, "ops.health", Flag.of(true, 10, ""));

    client.get().uri("/actuator/health").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.components.snapflux.components.flags.status").isEqualTo("UP")
        .jsonPath("$.components.snapflux.components.flags.details.backend").isEqualTo("memory")
        .jsonPath("$.components.snapflux.components.flags.details.version").value(v ->
            assertThat(((Number) v).longValue()).isGreaterThanOrEqualTo(version));
  }

  @Test
  void snapfluxEndpoint_forTheAdmin_showsTheStoreAndItsState() {
    Api.put(store, "ops.endpoint", Flag.of(false, 0, "seen by the endpoint"));

    client.get().uri("/actuator/snapflux").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.stores[0].name").isEqualTo("flags");
    client.get().uri("/actuator/snapflux/flags").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.state.flags['ops.endpoint'].description").isEqualTo("seen by the endpoint");
  }

  @Test
  void metricsAndPrometheus_forTheAdmin_carryTheStoreMeters() {
    Api.put(store, "ops.metrics", Flag.of(true, 100, ""));

    client.get().uri("/actuator/metrics/snapflux.store.version?tag=store:flags")
        .headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.measurements[0].value").value(v ->
            assertThat(((Number) v).doubleValue()).isGreaterThanOrEqualTo(1.0));
    client.get().uri("/actuator/prometheus").headers(Api.admin()).exchange()
        .expectStatus().isOk()
        .expectBody(String.class).value(text -> assertThat(text)
            .contains("snapflux_store_version{", "store=\"flags\"")
            .contains("snapflux_store_commits_total{"));
  }
}
