package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Long polling (protocol rules R5, R6): {@code If-None-Match} with {@code Prefer: wait}. */
final class LongPollTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MAX = Duration.ofSeconds(30);

  private final Store<Integer> store = Store.builder(0).name("counter").history(10).build();

  private HttpHeaders waitFor(long version, String prefer) {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.IF_NONE_MATCH, new VersionToken(Epochs.of(store), version).eTag());
    if (prefer != null) {
      headers.set("Prefer", prefer);
    }
    return headers;
  }

  private String eTag(long version) {
    return new VersionToken(Epochs.of(store), version).eTag();
  }

  private Mono<ResponseEntity<Integer>> poll(HttpHeaders headers) {
    return ConditionalRequests.poll(headers, store, MAX, Snapshot::state);
  }

  @Test
  void heldUntilANewerVersion_then200WithIt() {
    StepVerifier.create(poll(waitFor(0, "wait=10")))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(200))
        .then(() -> store.update(n -> 42))
        .assertNext(response -> {
          assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
          assertThat(response.getHeaders().getETag()).isEqualTo(eTag(1));
          assertThat(response.getHeaders().getFirst("Preference-Applied")).isEqualTo("wait=10");
          assertThat(response.getBody()).isEqualTo(42);
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void waitElapses_304WithPreferenceApplied() {
    StepVerifier.withVirtualTime(() -> poll(waitFor(0, "wait=5")))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(4900))
        .thenAwait(Duration.ofMillis(100))
        .assertNext(response -> {
          assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_MODIFIED);
          assertThat(response.getHeaders().getETag()).isEqualTo(eTag(0));
          assertThat(response.getHeaders().getFirst("Preference-Applied")).isEqualTo("wait=5");
          assertThat(response.getBody()).isNull();
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void waitIsBoundedByTheMaximum() {
    StepVerifier.withVirtualTime(() -> poll(waitFor(0, "respond-async, wait=3600")))
        .expectSubscription()
        .thenAwait(MAX)
        .assertNext(response -> {
          assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_MODIFIED);
          assertThat(response.getHeaders().getFirst("Preference-Applied")).isEqualTo("wait=30");
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void staleOrForeignToken_answersAtOnceWith200() {
    store.update(n -> 1);
    for (HttpHeaders headers : List.of(waitFor(0, "wait=30"), legacy("\"1\"", "wait=30"))) {
      StepVerifier.create(poll(headers))
          .assertNext(response -> {
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
            assertThat(response.getHeaders().getETag()).isEqualTo(eTag(1));
            assertThat(response.getHeaders().containsHeader("Preference-Applied")).isFalse();
          })
          .expectComplete()
          .verify(Duration.ofSeconds(2));
    }
  }

  private static HttpHeaders legacy(String tag, String prefer) {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.IF_NONE_MATCH, tag);
    headers.set("Prefer", prefer);
    return headers;
  }

  @Test
  void noOrZeroOrBadWait_isAnOrdinaryConditionalGet() {
    for (String prefer : new String[] {null, "wait=0", "wait=soon", "wait=-3", "handling=lenient"}) {
      StepVerifier.create(poll(waitFor(0, prefer)))
          .as(String.valueOf(prefer))
          .assertNext(response -> {
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_MODIFIED);
            assertThat(response.getHeaders().containsHeader("Preference-Applied")).isFalse();
          })
          .expectComplete()
          .verify(Duration.ofSeconds(2));
    }
  }

  @Test
  void preferParsing() {
    assertThat(LongPoll.waitSeconds(List.of("wait=7"))).isEqualTo(7);
    assertThat(LongPoll.waitSeconds(List.of("respond-async", "Wait = \"12\"; x=y"))).isEqualTo(12);
    assertThat(LongPoll.waitSeconds(List.of("wait=1e3"))).isZero();
    assertThat(LongPoll.waitSeconds(List.of())).isZero();
  }

  @Test
  void entity_waitsForTheEntity_notForOtherChanges() {
    Store<Map<String, Integer>> map =
        Store.<Map<String, Integer>>builder(Map.of("a", 1, "b", 1)).name("map").history(10).build();
    HttpHeaders headers = new HttpHeaders();
    VersionToken aChanged = SelectionVersions.lastChanged(map, map.snapshot(), m -> m.get("a"));
    headers.set(HttpHeaders.IF_NONE_MATCH, aChanged.eTag());
    headers.set("Prefer", "wait=10");
    StepVerifier.create(ConditionalRequests.pollEntity(headers, map, m -> m.get("a"), MAX,
            s -> s.state().get("a")))
        .expectSubscription()
        .then(() -> map.update(m -> Map.of("a", 1, "b", 2)))
        .expectNoEvent(Duration.ofMillis(300))
        .then(() -> map.update(m -> Map.of("a", 5, "b", 2)))
        .assertNext(response -> {
          assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
          assertThat(response.getHeaders().getETag())
              .isEqualTo(new VersionToken(Epochs.of(map), 2).eTag());
          assertThat(response.getBody()).isEqualTo(5);
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void manyWaitingRequests_holdNoThread() {
    int requests = 2000;
    int threadsBefore = Thread.activeCount();
    List<ResponseEntity<Integer>> answers = new CopyOnWriteArrayList<>();
    List<Disposable> pending = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      pending.add(poll(waitFor(0, "wait=30")).subscribe(answers::add));
    }
    assertThat(answers).isEmpty();
    assertThat(Thread.activeCount())
        .as("%d requests wait on no thread of their own", requests)
        .isLessThan(threadsBefore + 20);
    store.update(n -> 1);
    await().atMost(TIMEOUT).until(() -> answers.size() == requests);
    assertThat(answers).allSatisfy(response -> {
      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
      assertThat(response.getHeaders().getETag()).isEqualTo(eTag(1));
    });
    pending.forEach(Disposable::dispose);
  }
}
