package io.snapflux.sample.ops;

import static io.snapflux.sample.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.SampleApplication;
import io.snapflux.spring.web.VersionToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code --snapflux.backend=file --snapflux.file.directory=DIR}: the sample starts on the file
 * backend, and what one run wrote is there, at the same version, when the next run starts on the
 * same directory.
 */
final class FileBackendRestartTest {

  @Test
  void fileBackend_flagsAndVersionSurviveARestart(@TempDir Path dir) {
    String etag;
    try (ConfigurableApplicationContext first = start(dir)) {
      WebTestClient client = client(first);
      etag = client.put().uri("/api/flags/durable.flag").headers(admin())
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"enabled\":true,\"rollout\":25,\"description\":\"kept on disk\"}")
          .exchange()
          .expectStatus().isCreated()
          .returnResult(String.class).getResponseHeaders().getETag();
      health(client, h -> assertThat(h).contains("\"backend\":\"file\""));
    }

    try (ConfigurableApplicationContext second = start(dir)) {
      String after = client(second).get().uri("/api/flags/durable.flag").exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$.rollout").isEqualTo(25)
          .jsonPath("$.description").isEqualTo("kept on disk")
          .returnResult().getResponseHeaders().getETag();
      VersionToken before = token(etag);
      VersionToken now = token(after);
      // The journal keeps its epoch across a clean restart: the token, ETag and all, survives.
      assertThat(now).isEqualTo(before);
      client(second).patch().uri("/api/flags/durable.flag").headers(admin())
          .header("If-Match", etag).contentType(Api.MERGE_PATCH).bodyValue("{\"rollout\":1}")
          .exchange()
          .expectStatus().isOk();
    }
  }

  private static VersionToken token(String eTag) {
    assertThat(eTag).startsWith("\"").endsWith("\"");
    return java.util.Objects.requireNonNull(VersionToken.parse(eTag.substring(1, eTag.length() - 1)));
  }

  private static ConfigurableApplicationContext start(Path dir) {
    return new SpringApplicationBuilder(SampleApplication.class)
        .run("--server.port=0", "--spring.main.banner-mode=off", "--snapflux.backend=file",
            "--snapflux.file.directory=" + dir);
  }

  private static WebTestClient client(ConfigurableApplicationContext context) {
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    return WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(Duration.ofSeconds(20)).build();
  }

  private static void health(WebTestClient client, Consumer<String> check) {
    client.get().uri("/actuator/health").headers(admin()).exchange()
        .expectStatus().isOk()
        .expectBody(String.class).value(check::accept);
  }
}
