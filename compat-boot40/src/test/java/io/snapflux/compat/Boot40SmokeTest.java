package io.snapflux.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Boot 4.0 WebFlux application with the starter, as a new user builds it: snapshots are JSON
 * with their state (Vavr collections included), and {@code /actuator/snapflux} and health answer.
 */
final class Boot40SmokeTest {

  record Team(String name, List<String> members) {}

  record Teams(TreeMap<String, Team> byName) {}

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    Store<Teams> teams(StoreFactory stores) {
      return stores.create("teams", new Teams(TreeMap.empty()));
    }

    @Bean
    TeamsController teamsController(Store<Teams> teams) {
      return new TeamsController(teams);
    }
  }

  @RestController
  static final class TeamsController {
    private final Store<Teams> store;

    TeamsController(Store<Teams> store) {
      this.store = store;
    }

    @GetMapping("/teams")
    Snapshot<Teams> teams() {
      return store.snapshot();
    }
  }

  private ConfigurableApplicationContext context;
  private WebTestClient client;

  @BeforeEach
  void start() {
    context = new SpringApplicationBuilder(App.class)
        .properties("server.port=0", "spring.main.banner-mode=off",
            "management.endpoints.web.exposure.include=snapflux,health",
            "management.endpoint.snapflux.show-values=always",
            "management.endpoint.health.show-details=always")
        .run();
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    context.close();
  }

  @Test
  void runsOnBoot40() {
    assertThat(SpringBootVersion.getVersion()).startsWith("4.0.");
  }

  @Test
  void snapshot_isServedAsJsonWithItsState() {
    @SuppressWarnings("unchecked")
    Store<Teams> store = context.getBean(Store.class);
    store.update("add core", t -> new Teams(
        t.byName().put("core", new Team("core", List.of("ada", "linus")))));

    client.get().uri("/teams").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.version").isEqualTo(1)
        .jsonPath("$.cause").isEqualTo("add core")
        .jsonPath("$.state.byName.core.members[1]").isEqualTo("linus");
  }

  @Test
  void actuatorSnapfluxAndHealth_answer() {
    client.get().uri("/actuator/snapflux/teams").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.state.byName").isMap();
    client.get().uri("/actuator/health").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.components.snapflux.components.teams.status").isEqualTo("UP");
  }
}
