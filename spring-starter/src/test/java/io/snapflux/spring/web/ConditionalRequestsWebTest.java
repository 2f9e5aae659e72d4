package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Conditional requests through WebFlux, in an annotated controller that maps the exceptions. */
final class ConditionalRequestsWebTest {

  @RestController
  static final class CounterController {
    private final Store<Integer> store;

    CounterController(Store<Integer> store) {
      this.store = store;
    }

    @GetMapping("/counter")
    Mono<ResponseEntity<Integer>> get(@RequestHeader HttpHeaders headers) {
      return ConditionalRequests.read(headers, store, store.snapshot(), Snapshot::state);
    }

    @PutMapping(path = "/counter", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Integer>> put(@RequestHeader HttpHeaders headers, @RequestBody Integer value) {
      return ConditionalRequests.write(headers, store, "put", n -> value, n -> n);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> onPreconditionFailed(PreconditionFailedException e) {
      return e.toResponseEntity();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> onInvalidPrecondition(InvalidPreconditionException e) {
      return e.toResponseEntity();
    }
  }

  private final Store<Integer> store = Store.builder(0).name("counter").build();
  private final WebTestClient client =
      WebTestClient.bindToController(new CounterController(store)).build();

  /** The entity-tag of version {@code n} of the store. */
  private String t(long n) {
    return new VersionToken(Epochs.of(store), n).eTag();
  }

  @Test
  void get_sendsETag_andIfNoneMatchGives304() {
    store.update(n -> 5);
    client.get().uri("/counter").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, t(1))
        .expectBody(Integer.class).isEqualTo(5);
    client.get().uri("/counter").header(HttpHeaders.IF_NONE_MATCH, t(1)).exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals(HttpHeaders.ETAG, t(1))
        .expectBody().isEmpty();
  }

  @Test
  void put_withCurrentIfMatch_commitsAndReturnsNewETag() {
    client.put().uri("/counter").header(HttpHeaders.IF_MATCH, t(0))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(7).exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, t(1))
        .expectBody(Integer.class).isEqualTo(7);
    assertThat(store.snapshot().cause()).isEqualTo("put");
  }

  @Test
  void put_withStaleIfMatch_is412ProblemNamingCurrentVersion() {
    store.update(n -> 1);
    store.update(n -> 2);
    client.put().uri("/counter").header(HttpHeaders.IF_MATCH, t(1))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(9).exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectHeader().valueEquals(HttpHeaders.ETAG, t(2))
        .expectBody()
        .jsonPath("$.status").isEqualTo(412)
        .jsonPath("$.currentVersion").isEqualTo(2)
        .jsonPath("$.currentEpoch").isEqualTo(Epochs.of(store))
        .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("version 2"));
    assertThat(store.get()).isEqualTo(2);
  }

  @Test
  void put_withStarOrList_commits() {
    client.put().uri("/counter").header(HttpHeaders.IF_MATCH, "*")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(1).exchange()
        .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.ETAG, t(1));
    client.put().uri("/counter").header(HttpHeaders.IF_MATCH, t(0) + ", " + t(1))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(2).exchange()
        .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.ETAG, t(2));
  }

  @Test
  void put_withMalformedIfMatch_is400() {
    client.put().uri("/counter").header(HttpHeaders.IF_MATCH, "\"0")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(1).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.header").isEqualTo("If-Match");
    assertThat(store.snapshot().version()).isZero();
  }
}
