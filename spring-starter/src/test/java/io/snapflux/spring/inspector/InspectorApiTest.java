package io.snapflux.spring.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import io.snapflux.store.testing.HistoryReplay;
import io.vavr.collection.List;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inspector's HTTP API in a running WebFlux application: a memory store with history
 * ({@code board}) and one without ({@code counter}).
 */
final class InspectorApiTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String API = "/snapflux/inspector/api/stores";

  record Settings(boolean dark, int size) {}

  record Board(String title, List<String> items, Settings settings) {
    Board title(String t) {
      return new Board(t, items, settings);
    }

    Board items(List<String> i) {
      return new Board(title, i, settings);
    }

    Board settings(Settings s) {
      return new Board(title, items, s);
    }
  }

  static final Board INITIAL = new Board("plan", List.of("a", "b"), new Settings(false, 10));

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    Store<Board> board(StoreFactory stores) {
      return stores.create("board", INITIAL);
    }

    @Bean
    Store<Integer> counter(StoreFactory stores) {
      return stores.create("counter", 0);
    }

    /** Stands in for the application's security: the user named by {@code X-User}. */
    @Bean
    WebFilter testUser() {
      return (exchange, chain) -> {
        String user = exchange.getRequest().getHeaders().getFirst("X-User");
        if (user == null) {
          return chain.filter(exchange);
        }
        Principal principal = () -> user;
        return chain.filter(exchange.mutate().principal(Mono.just(principal)).build());
      };
    }
  }

  private ConfigurableApplicationContext context;
  private WebTestClient client;
  private Store<Board> board;
  private Store<Integer> counter;

  @BeforeEach
  void start() {
    context = new SpringApplicationBuilder(App.class)
        .properties(
            "server.port=0",
            "spring.main.banner-mode=off",
            "snapflux.inspector.enabled=true",
            "snapflux.web.sse.heartbeat=0s",
            "snapflux.stores.board.history-size=5",
            "snapflux.stores.counter.history-size=0")
        .run();
    int port = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(TIMEOUT).build();
    StoreFactory stores = context.getBean(StoreFactory.class);
    board = stores.get("board");
    counter = stores.get("counter");
  }

  @AfterEach
  void stop() {
    context.close();
  }

  private static Map<String, Object> by(String action, String user) {
    Map<String, Object> cause = new LinkedHashMap<>();
    cause.put("action", action);
    cause.put("by", user);
    return cause;
  }

  private String token(Store<?> store, long version) {
    return new VersionToken(store.snapshot().epoch(), version).toString();
  }

  private String eTag(Store<?> store, long version) {
    return "\"" + token(store, version) + "\"";
  }

  // ------------------------------------------------------------------ reads

  @Test
  void stores_listsEveryStoreWithBackendVersionTokenAndHistory() {
    board.update(by("rename", "bob"), b -> b.title("ship"));
    client.get().uri(API).exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
        .expectBody()
        .jsonPath("$.length()").isEqualTo(2)
        .jsonPath("$[0].name").isEqualTo("board")
        .jsonPath("$[0].backend").isEqualTo("memory")
        .jsonPath("$[0].version").isEqualTo(1)
        .jsonPath("$[0].epoch").isEqualTo(board.snapshot().epoch())
        .jsonPath("$[0].token").isEqualTo(token(board, 1))
        .jsonPath("$[0].history").isEqualTo(true)
        .jsonPath("$[0].historySize").isEqualTo(2)
        .jsonPath("$[0].subscribers.conflated").isEqualTo(0)
        .jsonPath("$[0].subscribers.lossless").isEqualTo(0)
        .jsonPath("$[0].stats.version").isEqualTo(1)
        .jsonPath("$[0].lastChange").isEqualTo(board.snapshot().timestamp().toString())
        .jsonPath("$[1].name").isEqualTo("counter")
        .jsonPath("$[1].history").isEqualTo(false)
        .jsonPath("$[1].historySize").isEqualTo(0)
        .jsonPath("$[1].lastChange").isEmpty();
  }

  @Test
  void stores_countSubscribersByDeliveryMode() {
    reactor.core.Disposable conflated = board.changes().subscribe();
    reactor.core.Disposable lossless = board.changes(io.snapflux.store.Delivery.lossless(8))
        .subscribe();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> board.stats().subscribers() >= 2);
      client.get().uri(API).exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$[0].name").isEqualTo("board")
          .jsonPath("$[0].subscribers.conflated").isEqualTo(board.stats().subscribers() - 1)
          .jsonPath("$[0].subscribers.lossless").isEqualTo(1)
          .jsonPath("$[0].stats.maxLosslessLag").isEqualTo(0);
    } finally {
      conflated.dispose();
      lossless.dispose();
    }
  }

  @Test
  void store_unknownName_404ProblemNamingTheStore() {
    client.get().uri(API + "/nope").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(404)
        .jsonPath("$.title").isEqualTo("No such store")
        .jsonPath("$.store").isEqualTo("nope");
    client.get().uri(API + "/nope/versions").exchange().expectStatus().isNotFound();
  }

  @Test
  void versions_withHistory_oldestFirstWithCauseAuthorAndChanges() {
    board.update(by("rename", "bob"), b -> b.title("ship"));
    board.update("add c", b -> b.items(b.items().append("c")));
    client.get().uri(API + "/board/versions").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.store").isEqualTo("board")
        .jsonPath("$.token").isEqualTo(token(board, 2))
        .jsonPath("$.entries.length()").isEqualTo(3)
        .jsonPath("$.entries[0].version").isEqualTo(0)
        .jsonPath("$.entries[0].changes").isEmpty()
        .jsonPath("$.entries[0].cause").isEmpty()
        .jsonPath("$.entries[1].token").isEqualTo(token(board, 1))
        .jsonPath("$.entries[1].cause.action").isEqualTo("rename")
        .jsonPath("$.entries[1].causeText").isEqualTo("action=rename by=bob")
        .jsonPath("$.entries[1].author").isEqualTo("bob")
        .jsonPath("$.entries[1].time").isEqualTo(board.history().orElseThrow().at(1)
            .orElseThrow().timestamp().toString())
        .jsonPath("$.entries[1].changes.length()").isEqualTo(1)
        .jsonPath("$.entries[1].changes[0].op").isEqualTo("replace")
        .jsonPath("$.entries[1].changes[0].path").isEqualTo("/title")
        .jsonPath("$.entries[1].changes[0].value").isEqualTo("ship")
        .jsonPath("$.entries[2].cause").isEqualTo("add c")
        .jsonPath("$.entries[2].author").isEmpty()
        .jsonPath("$.entries[2].changes[0].op").isEqualTo("add")
        .jsonPath("$.entries[2].changes[0].path").isEqualTo("/items/2");
    client.get().uri(API + "/board/versions?after=0&limit=1").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.entries.length()").isEqualTo(1)
        .jsonPath("$.entries[0].version").isEqualTo(1)
        .jsonPath("$.entries[0].changes[0].path").isEqualTo("/title");
    client.get().uri(API + "/board/versions?limit=1").exchange()
        .expectBody().jsonPath("$.entries[0].version").isEqualTo(2);
    client.get().uri(API + "/board/versions?limit=0").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    client.get().uri(API + "/board/versions?after=x").exchange()
        .expectStatus().isBadRequest();
  }

  @Test
  void versions_withoutHistory_onlyTheCurrentVersionWithoutChanges() {
    counter.update(n -> n + 1);
    counter.update(n -> n + 1);
    client.get().uri(API + "/counter/versions").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.entries.length()").isEqualTo(1)
        .jsonPath("$.entries[0].version").isEqualTo(2)
        .jsonPath("$.entries[0].changes").isEmpty();
  }

  @Test
  void state_currentAndKeptVersions_withETag_andTrimmedVersionIs410WithOldest() {
    board.update(b -> b.title("one"));
    client.get().uri(API + "/board/state").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, eTag(board, 1))
        .expectBody()
        .jsonPath("$.version").isEqualTo(1)
        .jsonPath("$.token").isEqualTo(token(board, 1))
        .jsonPath("$.state.title").isEqualTo("one")
        .jsonPath("$.state.items[1]").isEqualTo("b")
        .jsonPath("$.state.settings.size").isEqualTo(10);
    client.get().uri(API + "/board/state?version=0").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, eTag(board, 0))
        .expectBody().jsonPath("$.state.title").isEqualTo("plan");
    for (int i = 0; i < 6; i++) {
      int n = i;
      board.update(b -> b.title("t" + n));
    }
    client.get().uri(API + "/board/state?version=1").exchange()
        .expectStatus().isEqualTo(410)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.oldest").isEqualTo(3)
        .jsonPath("$.version").isEqualTo(1);
    client.get().uri(API + "/board/state?version=99").exchange()
        .expectStatus().isNotFound()
        .expectBody().jsonPath("$.current").isEqualTo(7);
  }

  @Test
  void state_withoutHistory_currentOnly_olderIs410() {
    counter.update(n -> 5);
    client.get().uri(API + "/counter/state").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.state").isEqualTo(5);
    client.get().uri(API + "/counter/state?version=0").exchange()
        .expectStatus().isEqualTo(410)
        .expectBody().jsonPath("$.oldest").isEqualTo(1);
  }

  @Test
  void diff_betweenTwoKeptVersions_isThePatchFromOneToTheOther() {
    board.update(b -> b.title("one"));
    board.update(b -> b.settings(new Settings(true, 10)));
    client.get().uri(API + "/board/diff?from=0&to=2").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.from").isEqualTo(0)
        .jsonPath("$.to").isEqualTo(2)
        .jsonPath("$.patch.length()").isEqualTo(2)
        .jsonPath("$.patch[?(@.path == '/title')].value").isEqualTo("one")
        .jsonPath("$.patch[?(@.path == '/settings/dark')].value").isEqualTo(true);
    client.get().uri(API + "/board/diff?from=2&to=0").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.patch[?(@.path == '/title')].value").isEqualTo("plan");
    client.get().uri(API + "/board/diff?from=0").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }

  @Test
  void stream_isTheWatchProtocolStream() {
    Flux<ServerSentEvent<String>> events = client.get().uri(API + "/board/stream")
        .accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .expectStatus().isOk()
        .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
        .getResponseBody();
    StepVerifier.create(events)
        .assertNext(e -> {
          assertThat(e.event()).isEqualTo(StoreSse.SNAPSHOT);
          assertThat(e.id()).isEqualTo(token(board, 0));
        })
        .then(() -> board.update(b -> b.title("live")))
        .assertNext(e -> {
          assertThat(e.id()).isEqualTo(token(board, 1));
          assertThat(e.data()).contains("live");
        })
        .thenCancel()
        .verify(TIMEOUT);
  }

  // ------------------------------------------------------------------ writes

  @Test
  void restore_withoutIfMatch_428AndNothingCommitted() {
    board.update(b -> b.title("one"));
    client.post().uri(API + "/board/restore").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"version\":0}").exchange()
        .expectStatus().isEqualTo(428)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(428);
    assertThat(board.snapshot().version()).isEqualTo(1);
  }

  @Test
  void restore_staleIfMatch_412NamingCurrentAndNothingCommitted() {
    board.update(b -> b.title("one"));
    client.post().uri(API + "/board/restore").header(HttpHeaders.IF_MATCH, eTag(board, 0))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":0}").exchange()
        .expectStatus().isEqualTo(412)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectHeader().valueEquals(HttpHeaders.ETAG, eTag(board, 1))
        .expectBody().jsonPath("$.current").isEqualTo(token(board, 1));
    assertThat(board.snapshot().version()).isEqualTo(1);
    assertThat(board.snapshot().state().title()).isEqualTo("one");
  }

  @Test
  void restore_commitsTheKeptStateAsANewVersion_causeNamesTheUser() {
    board.update(b -> b.title("one"));
    board.update(b -> b.items(List.of("z")));
    client.post().uri(API + "/board/restore").header(HttpHeaders.IF_MATCH, eTag(board, 2))
        .header("X-User", "alice")
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":0}").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, eTag(board, 3))
        .expectBody()
        .jsonPath("$.version").isEqualTo(3)
        .jsonPath("$.token").isEqualTo(token(board, 3));
    assertThat(board.snapshot().state()).isEqualTo(INITIAL);
    assertThat(board.snapshot().cause())
        .isEqualTo(Map.of("inspector", "restore", "version", 0L, "by", "alice"));
    client.get().uri(API + "/board/versions?after=2").exchange()
        .expectBody()
        .jsonPath("$.entries[0].author").isEqualTo("alice")
        .jsonPath("$.entries[0].cause.inspector").isEqualTo("restore");
  }

  @Test
  void restore_unauthenticated_causeHasNullUser_andGoneVersionIs410() {
    for (int i = 0; i < 6; i++) {
      int n = i;
      board.update(b -> b.title("t" + n));
    }
    client.post().uri(API + "/board/restore").header(HttpHeaders.IF_MATCH, eTag(board, 6))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":0}").exchange()
        .expectStatus().isEqualTo(410)
        .expectBody().jsonPath("$.oldest").isEqualTo(2);
    client.post().uri(API + "/board/restore").header(HttpHeaders.IF_MATCH, eTag(board, 6))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":2}").exchange()
        .expectStatus().isOk();
    assertThat(board.snapshot().state().title()).isEqualTo("t1");
    @SuppressWarnings("unchecked")
    Map<String, Object> cause = (Map<String, Object>) board.snapshot().cause();
    assertThat(cause).containsEntry("by", null).containsEntry("inspector", "restore");
  }

  @Test
  void restore_badBody_400AndNothingCommitted() {
    for (String body : java.util.List.of("{}", "{\"version\":\"x\"}", "{\"version\":-1}", "[]",
        "not json")) {
      client.post().uri(API + "/board/restore").header(HttpHeaders.IF_MATCH, eTag(board, 0))
          .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
          .expectStatus().isBadRequest()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    assertThat(board.snapshot().version()).isZero();
  }

  @Test
  void concurrentRestores_sameIfMatch_exactlyOneCommits() throws Exception {
    board.update(b -> b.title("one"));
    int requests = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool =
        Executors.newFixedThreadPool(requests);
    try {
      java.util.List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        statuses.add(pool.submit(() -> {
          go.await();
          return client.post().uri(API + "/board/restore")
              .header(HttpHeaders.IF_MATCH, eTag(board, 1))
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue("{\"version\":0}").exchange()
              .returnResult(String.class).getStatus().value();
        }));
      }
      go.countDown();
      java.util.List<Integer> codes = new ArrayList<>();
      for (var s : statuses) {
        codes.add(s.get(20, TimeUnit.SECONDS));
      }
      // Every request plans at version 1; the first commit moves the store to 2, so every
      // other one fails its precondition or loses the version-checked commit: 412.
      assertThat(codes).filteredOn(c -> c == 200).hasSize(1);
      assertThat(codes).filteredOn(c -> c == 412).hasSize(requests - 1);
      assertThat(board.snapshot().version()).isEqualTo(2);
      assertThat(board.snapshot().state()).isEqualTo(INITIAL);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void revert_untouchedPaths_appliesTheInverseOnTopOfTheCurrentState() {
    board.update(b -> b.title("one"));                          // v1
    board.update(b -> b.items(b.items().append("c")));         // v2
    board.update(b -> b.settings(new Settings(true, 10)));     // v3
    client.post().uri(API + "/board/revert").header(HttpHeaders.IF_MATCH, eTag(board, 3))
        .header("X-User", "carol")
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, eTag(board, 4))
        .expectBody().jsonPath("$.version").isEqualTo(4);
    assertThat(board.snapshot().state())
        .isEqualTo(new Board("plan", List.of("a", "b", "c"), new Settings(true, 10)));
    assertThat(board.snapshot().cause())
        .isEqualTo(Map.of("inspector", "revert", "version", 1L, "by", "carol"));
  }

  @Test
  void revert_laterVersionTouchedThePath_409NamingPathsAndNothingCommitted() {
    board.update(b -> b.title("one"));                          // v1
    board.update(b -> b.title("two"));                          // v2: same path
    client.post().uri(API + "/board/revert").header(HttpHeaders.IF_MATCH, eTag(board, 2))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
        .expectStatus().isEqualTo(409)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.paths.length()").isEqualTo(1)
        .jsonPath("$.paths[0]").isEqualTo("/title")
        .jsonPath("$.conflicts[0].version").isEqualTo(2);
    assertThat(board.snapshot().version()).isEqualTo(2);
    assertThat(board.snapshot().state().title()).isEqualTo("two");
  }

  @Test
  void revert_laterVersionChangedThatPathAmongOthers_409() {
    board.update(b -> b.settings(new Settings(true, 10)));     // v1: /settings/dark
    board.update(b -> b.settings(new Settings(false, 12)));    // v2: /settings/dark and /size
    client.post().uri(API + "/board/revert").header(HttpHeaders.IF_MATCH, eTag(board, 2))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.paths[0]").isEqualTo("/settings/dark");
    assertThat(board.snapshot().version()).isEqualTo(2);
  }

  @Test
  void revert_laterRemovalShiftedTheArray_409() {
    board.update(b -> b.items(b.items().append("c")));         // v1: add /items/2
    board.update(b -> b.items(b.items().tail()));              // v2: remove /items/0
    client.post().uri(API + "/board/revert").header(HttpHeaders.IF_MATCH, eTag(board, 2))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.paths[0]").isEqualTo("/items/2");
    assertThat(board.snapshot().state().items()).containsExactly("b", "c");
  }

  @Test
  void revert_latestVersion_isUndo_andVersionZeroIs400_andNoHistoryIs410() {
    board.update(b -> b.items(b.items().append("c")));
    client.post().uri(API + "/board/revert").header(HttpHeaders.IF_MATCH, eTag(board, 1))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
        .expectStatus().isOk();
    assertThat(board.snapshot().state()).isEqualTo(INITIAL);
    client.post().uri(API + "/board/revert").header(HttpHeaders.IF_MATCH, eTag(board, 2))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":0}").exchange()
        .expectStatus().isBadRequest();
    counter.update(n -> 1);
    client.post().uri(API + "/counter/revert").header(HttpHeaders.IF_MATCH, eTag(counter, 1))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":1}").exchange()
        .expectStatus().isEqualTo(410);
    assertThat(counter.snapshot().version()).isEqualTo(1);
  }

  @Test
  void export_sliceWithBaseAndPatches_asAnAttachment() {
    board.update(by("rename", "bob"), b -> b.title("one"));
    board.update("add c", b -> b.items(b.items().append("c")));
    client.get().uri(API + "/board/export?from=0&to=2").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"board-0-2.json\"")
        .expectBody()
        .jsonPath("$.format").isEqualTo("snapflux-history/1")
        .jsonPath("$.store").isEqualTo("board")
        .jsonPath("$.epoch").isEqualTo(board.snapshot().epoch())
        .jsonPath("$.from").isEqualTo(0)
        .jsonPath("$.to").isEqualTo(2)
        .jsonPath("$.base.title").isEqualTo("plan")
        .jsonPath("$.versions.length()").isEqualTo(2)
        .jsonPath("$.versions[0].version").isEqualTo(1)
        .jsonPath("$.versions[0].cause.by").isEqualTo("bob")
        .jsonPath("$.versions[0].patch[0].path").isEqualTo("/title")
        .jsonPath("$.versions[1].cause").isEqualTo("add c");
    client.get().uri(API + "/board/export?from=2&to=1").exchange()
        .expectStatus().isBadRequest();
  }

  @Test
  void export_replayedAgainstAFreshStore_reachesAnEqualStateVersionByVersion() {
    board.update(b -> b.title("one"));                                       // v1
    board.update(by("add", "bob"), b -> b.items(b.items().append("c")));     // v2
    board.update(b -> b.settings(new Settings(true, 3)));                   // v3
    board.update(b -> b.items(b.items().tail().prepend("z")));              // v4
    board.update(b -> b.title("two").items(List.empty()));                  // v5
    String body = client.get().uri(API + "/board/export?from=1&to=5").exchange()
        .expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();

    HistoryReplay replay = HistoryReplay.read(body, context.getBean(JsonMapper.class));
    TypeRef<Board> type = TypeRef.of(Board.class);
    assertThat(replay.base(type)).isEqualTo(board.history().orElseThrow().at(1).orElseThrow().state());
    Store<Board> fresh = Store.builder(replay.base(type)).history(10).build();
    Snapshot<Board> last = replay.replay(fresh, type);

    assertThat(last.version()).isEqualTo(4);
    assertThat(last.state()).isEqualTo(board.snapshot().state());
    for (long v = 2; v <= 5; v++) {
      assertThat(fresh.history().orElseThrow().at(v - 1).orElseThrow().state())
          .isEqualTo(board.history().orElseThrow().at(v).orElseThrow().state());
    }
    assertThat(fresh.history().orElseThrow().at(1).orElseThrow().cause())
        .isEqualTo(Map.of("action", "add", "by", "bob"));
  }

  // ------------------------------------------------------------------ page

  @Test
  void page_servedWithNoCacheAndNosniff_baseWithoutSlashRedirects_traversalIs404() {
    client.get().uri("/snapflux/inspector/").exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
        .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
        .expectHeader().valueEquals("Content-Security-Policy",
            InspectorHandler.CONTENT_SECURITY_POLICY)
        .expectHeader().valueEquals("X-Frame-Options", "DENY")
        .expectBody(String.class).value(html -> assertThat(html).contains("<html"));
    client.get().uri("/snapflux/inspector").exchange()
        .expectStatus().isPermanentRedirect()
        .expectHeader().valueEquals(HttpHeaders.LOCATION, "inspector/");
    client.get().uri("/snapflux/inspector/static/index.html").exchange()
        .expectStatus().isOk();
    client.get().uri("/snapflux/inspector/static/nothing.js").exchange()
        .expectStatus().isNotFound();
    client.get().uri("/snapflux/inspector/static/%2e%2e/Inspector.class").exchange()
        .expectStatus().isNotFound();
  }

  @Test
  void head_onThePageAndAssets_isGetWithoutTheBody() {
    client.head().uri("/snapflux/inspector/").exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
        .expectBody().isEmpty();
    client.head().uri("/snapflux/inspector/static/inspector.js").exchange()
        .expectStatus().isOk()
        .expectBody().isEmpty();
    client.head().uri("/snapflux/inspector/static/nothing.js").exchange()
        .expectStatus().isNotFound();
  }
}
