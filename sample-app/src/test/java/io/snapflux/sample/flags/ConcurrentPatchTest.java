package io.snapflux.sample.flags;

import static io.snapflux.sample.Api.MERGE_PATCH;
import static io.snapflux.sample.Api.etag;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

/**
 * Optimistic concurrency end to end: many clients read the same version and race to change the
 * same flag; exactly one wins, every other one is told 412, and the state is the winner's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class ConcurrentPatchTest {

  static final int CLIENTS = 50;

  @Autowired Store<AppState> store;
  @LocalServerPort int port;

  @Test
  void patch_fiftyConcurrentWithSameIfMatch_exactlyOneWins_restGet412_stateIsTheWinners() {
    long v = Api.put(store, "race", Flag.of(true, 0, "before the race"));
    WebClient client = WebClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeaders(Api.admin()).build();

    List<Tuple2<Integer, HttpStatus>> results = Flux.range(0, CLIENTS)
        .flatMap(i -> client.patch().uri("/api/flags/race")
            .header("If-Match", etag(store, v))
            .contentType(MERGE_PATCH)
            .bodyValue("{\"rollout\":" + (i % 101) + ",\"description\":\"client " + i + "\"}")
            .exchangeToMono(r -> r.releaseBody()
                .then(Mono.just(Tuples.of(i, HttpStatus.valueOf(r.statusCode().value()))))),
            CLIENTS)
        .collectList()
        .block(Duration.ofSeconds(60));

    assertThat(results).hasSize(CLIENTS);
    List<Integer> winners = results.stream()
        .filter(r -> r.getT2() == HttpStatus.OK).map(Tuple2::getT1).toList();
    assertThat(winners).hasSize(1);
    assertThat(results).filteredOn(r -> r.getT2() == HttpStatus.PRECONDITION_FAILED)
        .hasSize(CLIENTS - 1);
    int winner = winners.get(0);
    assertThat(store.snapshot().version()).isEqualTo(v + 1);
    assertThat(store.get().flag("race").get())
        .isEqualTo(Flag.of(true, winner % 101, "client " + winner));
  }
}
