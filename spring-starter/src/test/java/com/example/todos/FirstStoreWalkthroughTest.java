package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

/**
 * Runs the walk-through of docs/spring-boot.md as a reader would, with the properties the docs
 * give, and checks that the docs show its files verbatim.
 */
final class FirstStoreWalkthroughTest {

  private static final Path SOURCES = Path.of("../spring-starter/src/test/java/com/example/todos");

  private ConfigurableApplicationContext context;
  private WebTestClient client;

  @BeforeEach
  void start() {
    context = SpringApplication.run(TodoApplication.class, "--server.port=0",
        "--spring.main.banner-mode=off",
        "--management.endpoints.web.exposure.include=health,snapflux",
        "--management.endpoint.health.show-details=always");
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    context.close();
  }

  @Test
  void walkthrough_readWriteConditionallyStreamAndInspect() {
    String eTag = client.get().uri("/todos").exchange()
        .expectStatus().isOk()
        .expectBody().json("{\"version\":0,\"state\":{\"items\":[]}}")
        .returnResult().getResponseHeaders().getETag();
    // A version token: the store's epoch (random per start of an in-memory store), "." and the version.
    assertThat(eTag).matches("\"[0-9a-f]{16}\\.0\"");
    String epoch = eTag.substring(1, eTag.indexOf('.'));
    client.post().uri("/todos?item=milk").header("If-Match", eTag).exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", "\"" + epoch + ".1\"")
        .expectBody().json("{\"items\":[\"milk\"]}");
    client.post().uri("/todos?item=eggs").header("If-Match", eTag).exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectBody().jsonPath("$.currentVersion").isEqualTo(1);
    StepVerifier.create(client.get().uri("/todos/stream").accept(MediaType.TEXT_EVENT_STREAM)
            .exchange().returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
            .getResponseBody())
        .assertNext(event -> {
          assertThat(event.id()).isEqualTo(epoch + ".1");
          assertThat(event.data()).contains("\"items\":[\"milk\"]");
        })
        .thenCancel()
        .verify(Duration.ofSeconds(10));
    client.get().uri("/actuator/snapflux").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.stores[0].name").isEqualTo("todos");
    client.get().uri("/actuator/health").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.components.snapflux.components.todos.status").isEqualTo("UP");
  }

  @Test
  void docs_showEveryWalkthroughFileVerbatim() throws IOException {
    String docs = normalize(Files.readString(Path.of("../docs/spring-boot.md")));
    for (String file : new String[] {"Todos.java", "TodoApplication.java", "TodoController.java"}) {
      assertThat(docs).as("docs/spring-boot.md shows %s verbatim", file)
          .contains(normalize(Files.readString(SOURCES.resolve(file))));
    }
  }

  private static String normalize(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }
}
