package io.snapflux.sample.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * The write endpoints' contract as a property, over generated requests: a response that is not
 * 2xx leaves the version and the state as they were, and a 2xx response moved the version by
 * exactly one, or by none for a change that changed nothing.
 *
 * <p>Each request combines a method and path with values for {@code Accept}, {@code
 * Content-Type}, {@code If-Match}, {@code Origin}, {@code Sec-Fetch-Site}, {@code Authorization}
 * and a body, each drawn from valid, invalid and hostile choices. The generator is seeded (the
 * seed is in every failure message; {@code -Dsample.invariant.seed=N} replays one run) and bounded
 * to {@value #REQUESTS} requests. Every request poses as a client address of its own, so the
 * failed-authentication throttle never turns the run into a run of 429s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"sample.security.failed-authentication.limit=3",
        "server.forward-headers-strategy=framework"})
final class WriteInvariantTest {

  static final int REQUESTS = 600;

  @Autowired Store<AppState> store;
  @LocalServerPort int port;

  private static final String[] NAMES = {"inv.a", "inv.b", "dark-mode", "Bad Name!", "x".repeat(80),
      "inv.%2e"};

  private static final String[] BODIES = {
      null, "", "{}", "{\"enabled\":true}", "{\"enabled\":false,\"rollout\":50}",
      "{\"rollout\":101}", "{\"rollout\":-1}", "{\"enabled\":\"yes\"}", "{\"unknown\":1}",
      "{\"enabled\":true,\"enabled\":false}", "{\"enabled\":true} xyz", "{\"enabled\":true}{}",
      "[1,2]", "null", "{\"allow\":[\"alice\",\"bob\"],\"description\":\"d\"}",
      "{\"description\":\"" + "d".repeat(300) + "\"}", "{\"rollout\":1e400}", "{\"enabled\":tru",
      "a=b"};

  private static final String[] ACCEPTS = {null, "*/*", "application/json",
      "application/problem+json", "text/plain", "text/html", "garbage", "application/*;q=0.1"};

  private static final String[] CONTENT_TYPES = {null, "application/json",
      "application/merge-patch+json", "text/plain", "application/x-www-form-urlencoded",
      "garbage/", "application/json;charset=UTF-8"};

  private static final String[] ORIGINS = {null, null, "SELF", "https://evil.example", "null"};

  private static final String[] FETCH_SITES = {null, null, "same-origin", "cross-site", "none",
      "same-site"};

  @Test
  void everyRefusedWrite_changesNothing_andEveryAcceptedOne_movesTheVersionByAtMostOne() {
    long seed = Long.getLong("sample.invariant.seed", 20261201L);
    SplittableRandom random = new SplittableRandom(seed);
    Api.put(store, "inv.a", Flag.of(true, 10, "seeded"));
    List<String> statuses = new ArrayList<>();
    // Reactor Netty's client, not WebClient: WebClient refuses to send malformed headers. A
    // connection per request keeps each request independent of how the one before ended.
    HttpClient http = HttpClient.create(reactor.netty.resources.ConnectionProvider.newConnection()).baseUrl("http://localhost:" + port);
    int accepted = 0;
    Request previous = null;
    Request request = null;
    for (int i = 0; i < REQUESTS; i++) {
      Snapshot<AppState> before = store.snapshot();
      previous = request;
      request = Request.generate(random, before.version(), port, i);
      int status;
      try {
        status = request.send(http);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", request " + i + ": " + request
            + " got no response; the request before was " + previous, e);
      }
      Snapshot<AppState> after = store.snapshot();
      statuses.add(Integer.toString(status));
      String context = "seed " + seed + ", request " + i + ": " + request + " -> " + status;
      if (status >= 200 && status < 300) {
        accepted++;
        assertThat(after.version() - before.version()).as(context).isBetween(0L, 1L);
        if (after.version() == before.version()) {
          assertThat(after.state()).as(context).isEqualTo(before.state());
        }
      } else {
        assertThat(after.version()).as(context).isEqualTo(before.version());
        assertThat(after.state()).as(context).isEqualTo(before.state());
      }
    }
    // The generator must reach both sides of the property, or it proves nothing.
    assertThat(accepted).as("accepted writes among " + statuses).isGreaterThan(20);
    assertThat(statuses).as("refusals").contains("400", "401", "403", "406", "412", "415");
  }

  /** One generated write. */
  private record Request(HttpMethod method, String path, String accept, String contentType,
      String ifMatch, String origin, String fetchSite, String authorization, String body,
      String client) {

    /**
     * Each part is sensible three times in four and drawn from every choice otherwise, so that
     * about a third of the requests could succeed and the rest fail for one or two reasons.
     */
    static Request generate(SplittableRandom r, long version, int port, int i) {
      HttpMethod method = pick(r, new HttpMethod[] {HttpMethod.PUT, HttpMethod.PATCH,
          HttpMethod.DELETE, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH});
      String path = method == HttpMethod.POST && r.nextInt(4) > 0 ? "/api/undo"
          : "/api/flags/" + (sensible(r) ? pick(r, new String[] {"inv.a", "inv.b", "inv.c"})
              : pick(r, NAMES));
      String ifMatch = sensible(r) ? pick(r, new String[] {null, "CURRENT"})
          : pick(r, new String[] {"STALE", "*", "W/\"1\"", "\"abc\"", "5", "\"999999\""});
      if ("CURRENT".equals(ifMatch)) {
        ifMatch = "\"" + version + "\"";
      } else if ("STALE".equals(ifMatch)) {
        ifMatch = "\"" + Math.max(0, version - 1) + "\"";
      }
      String origin = sensible(r) ? pick(r, new String[] {null, "SELF"}) : pick(r, ORIGINS);
      if ("SELF".equals(origin)) {
        origin = "http://localhost:" + port;
      }
      String authorization = sensible(r) ? "ADMIN"
          : pick(r, new String[] {"ADMIN", null, "WRONG", "Basic !!", "Bearer x"});
      if ("ADMIN".equals(authorization)) {
        authorization = basic(Api.USER, Api.PASSWORD);
      } else if ("WRONG".equals(authorization)) {
        authorization = basic(Api.USER, "nope");
      }
      String contentType = !sensible(r) ? pick(r, CONTENT_TYPES)
          : method == HttpMethod.PATCH ? "application/merge-patch+json" : "application/json";
      String body = sensible(r)
          ? pick(r, new String[] {"{\"enabled\":true}", "{\"enabled\":false,\"rollout\":50}",
              "{\"rollout\":" + r.nextInt(101) + "}"})
          : pick(r, BODIES);
      if (method == HttpMethod.DELETE || method == HttpMethod.POST) {
        body = sensible(r) ? null : body;
      }
      return new Request(method, path, sensible(r) ? null : pick(r, ACCEPTS), contentType,
          ifMatch, origin, sensible(r) ? pick(r, new String[] {null, "same-origin"})
              : pick(r, FETCH_SITES), authorization, body,
          "198.18." + (i / 250) + "." + (i % 250));
    }

    private static boolean sensible(SplittableRandom r) {
      return r.nextInt(4) != 0;
    }

    int send(HttpClient http) {
      HttpClient.RequestSender sender = http
          .headers(h -> {
            h.set("X-Forwarded-For", client);
            set(h, "Accept", accept);
            set(h, "Content-Type", body == null ? null : contentType);
            set(h, "If-Match", ifMatch);
            set(h, "Origin", origin);
            set(h, "Sec-Fetch-Site", fetchSite);
            set(h, "Authorization", authorization);
          })
          .request(io.netty.handler.codec.http.HttpMethod.valueOf(method.name()))
          .uri(path.replace(" ", "%20").replace("!", "%21"));
      Integer status = (body == null ? sender : sender.send(ByteBufFlux.fromString(Mono.just(body))))
          .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
          .block(Duration.ofSeconds(30));
      return status == null ? -1 : status;
    }

    private static void set(io.netty.handler.codec.http.HttpHeaders h, String name, String value) {
      if (value != null) {
        h.set(name, value);
      }
    }

    private static String basic(String user, String password) {
      return "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static <T> T pick(SplittableRandom r, T[] choices) {
      return choices[r.nextInt(choices.length)];
    }
  }
}
