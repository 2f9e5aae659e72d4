package io.snapflux.sample.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.redis.RedisServerProcess;
import io.snapflux.sample.Api;
import io.snapflux.sample.SampleApplication;
import io.snapflux.store.BlockHoundSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The sample's write handlers run on the event loop on every backend without blocking it:
 * BlockHound (installed so that Reactor Netty's {@code reactor-http-*} event-loop threads count as
 * non-blocking) records no blocking call while a create, a conditional replace, a merge patch, an
 * undo, a delete and a stale write (412) go through the sample on the {@code memory}, {@code file}
 * ({@code sync} durability: the fsync happens off the event loop) and {@code redis} backends.
 * A canary handler that sleeps on the thread serving the request (an event loop, or Reactor's
 * parallel scheduler after authentication) proves the detection works in this JVM.
 */
@Tag("blockhound")
final class SampleBlockHoundTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static RedisServerProcess redis;
  private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

  @TempDir Path dir;

  @BeforeAll
  static void installBlockHoundAndStartRedis() throws Exception {
    BlockHoundSupport.install(thread -> thread.getName().startsWith("reactor-http-"));
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.stop();
    }
  }

  @BeforeEach
  void forget() {
    BlockHoundSupport.clearBlockingCalls();
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    apps.forEach(ConfigurableApplicationContext::close);
  }

  /** A handler that blocks the event loop, for the canary only. */
  @Configuration(proxyBeanMethods = false)
  static class Canary {
    @Bean
    RouterFunction<ServerResponse> sleeper() {
      return RouterFunctions.route().GET("/test/sleep", request -> {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return ServerResponse.ok().bodyValue("slept");
      }).build();
    }
  }

  @Test
  void canary_aSleepInAHandlerOnTheEventLoop_isDetected() {
    WebTestClient client = start("memory");
    client.get().uri("/test/sleep").headers(Api.admin()).exchange()
        .expectStatus().is5xxServerError();
    // The handler runs on whichever non-blocking thread delivers the request: a reactor-http
    // event loop, or Reactor's parallel scheduler when the security chain's authentication
    // completes there (seen in CI: "java.lang.Thread.sleep on parallel-1"). Both must be caught.
    assertThat(BlockHoundSupport.blockingCalls())
        .anyMatch(call -> call.startsWith("java.lang.Thread.sleep on ")
            && (call.contains("reactor-http-") || call.contains("parallel-")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "file", "redis"})
  void writePath_onEveryBackend_neverBlocksTheEventLoop(String backend) {
    WebTestClient client = start(backend);

    String created = client.put().uri("/api/flags/bh.one").headers(Api.admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"enabled\":true}")
        .exchange().expectStatus().isCreated()
        .returnResult(String.class).getResponseHeaders().getETag();
    String replaced = client.put().uri("/api/flags/bh.one").headers(Api.admin())
        .header(HttpHeaders.IF_MATCH, created)
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"enabled\":false}")
        .exchange().expectStatus().isOk()
        .returnResult(String.class).getResponseHeaders().getETag();
    client.patch().uri("/api/flags/bh.one").headers(Api.admin())
        .header(HttpHeaders.IF_MATCH, replaced)
        .contentType(Api.MERGE_PATCH).bodyValue("{\"rollout\":50}")
        .exchange().expectStatus().isOk();
    client.put().uri("/api/flags/bh.one").headers(Api.admin())
        .header(HttpHeaders.IF_MATCH, created)
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"enabled\":true}")
        .exchange().expectStatus().isEqualTo(412);
    client.post().uri("/api/undo").headers(Api.admin()).contentType(MediaType.APPLICATION_JSON)
        .exchange().expectStatus().isOk();
    client.delete().uri("/api/flags/bh.one").headers(Api.admin())
        .exchange().expectStatus().isNoContent();
    client.get().uri("/api/flags").headers(Api.admin()).exchange().expectStatus().isOk();

    assertThat(BlockHoundSupport.blockingCalls()).as(backend).isEmpty();
  }

  private WebTestClient start(String backend) {
    List<String> args = new ArrayList<>(List.of("--server.port=0",
        "--spring.main.banner-mode=off", "--snapflux.backend=" + backend));
    SpringApplicationBuilder app = new SpringApplicationBuilder(SampleApplication.class, Canary.class);
    if (backend.equals("file")) {
      args.add("--snapflux.file.directory=" + dir);
    } else if (backend.equals("redis")) {
      app.profiles("redis");
      args.add("--spring.data.redis.host=127.0.0.1");
      args.add("--spring.data.redis.port=" + redis.port());
    }
    ConfigurableApplicationContext context = app.run(args.toArray(String[]::new));
    apps.add(context);
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(TIMEOUT).build();
  }
}
