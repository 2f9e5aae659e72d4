package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import reactor.test.StepVerifier;

final class ConditionalRequestsTest {

  private static HttpHeaders headers(String name, String... values) {
    HttpHeaders headers = new HttpHeaders();
    for (String value : values) {
      headers.add(name, value);
    }
    return headers;
  }

  private static Store<Integer> storeAtVersion(long version) {
    Store<Integer> store = Store.builder(0).name("counter").build();
    for (long i = 0; i < version; i++) {
      store.update(n -> n + 1);
    }
    return store;
  }

  @Test
  void eTag_isQuotedVersion() {
    assertThat(ConditionalRequests.eTag(7)).isEqualTo("\"7\"");
  }

  @Test
  void read_withoutCondition_is200WithETagAndBody() {
    ResponseEntity<Integer> response = ConditionalRequests
        .readNow(new HttpHeaders(), Snapshot.of(3, 42, null, 0), Snapshot::state);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getHeaders().getETag()).isEqualTo("\"3\"");
    assertThat(response.getBody()).isEqualTo(42);
  }

  @Test
  void read_ifNoneMatchCurrent_is304WithoutBody() {
    for (String field : new String[] {"\"3\"", "W/\"3\"", "\"1\", \"3\"", "*"}) {
      ResponseEntity<Integer> response = ConditionalRequests.readNow(
          headers(HttpHeaders.IF_NONE_MATCH, field), Snapshot.of(3, 42, null, 0), Snapshot::state);
      assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.NOT_MODIFIED);
      assertThat(response.getHeaders().getETag()).isEqualTo("\"3\"");
      assertThat(response.getBody()).isNull();
    }
  }

  @Test
  void read_ifNoneMatchStaleOrMalformed_is200() {
    for (String field : new String[] {"\"2\"", "\"abc\"", "\"3"}) {
      ResponseEntity<Integer> response = ConditionalRequests.readNow(
          headers(HttpHeaders.IF_NONE_MATCH, field), Snapshot.of(3, 42, null, 0), Snapshot::state);
      assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.OK);
    }
  }

  @Test
  void read_nullBody_is404WithETag() {
    ResponseEntity<Object> response = ConditionalRequests
        .readNow(new HttpHeaders(), Snapshot.of(3, 42, null, 0), s -> null);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }

  @Test
  void update_ifMatchCurrent_commitsVersionChecked() {
    Store<Integer> store = storeAtVersion(2);
    Snapshot<Integer> committed = ConditionalRequests
        .update(headers(HttpHeaders.IF_MATCH, "\"2\""), store, "inc", n -> n + 10);
    assertThat(committed.version()).isEqualTo(3);
    assertThat(committed.state()).isEqualTo(12);
    assertThat(committed.cause()).isEqualTo("inc");
  }

  @Test
  void update_ifMatchStale_throws412NamingCurrentVersionAndChangesNothing() {
    Store<Integer> store = storeAtVersion(5);
    assertThatThrownBy(() -> ConditionalRequests
            .update(headers(HttpHeaders.IF_MATCH, "\"4\""), store, null, n -> n + 1))
        .isInstanceOfSatisfying(PreconditionFailedException.class, e -> {
          assertThat(e.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
          assertThat(e.currentVersion()).isEqualTo(5);
          ProblemDetail body = e.getBody();
          assertThat(body.getStatus()).isEqualTo(412);
          assertThat(body.getTitle()).isEqualTo("Precondition Failed");
          assertThat(body.getDetail()).contains("version 5").contains("\"4\"");
          assertThat(body.getProperties()).containsEntry("currentVersion", 5L)
              .containsEntry("expected", "\"4\"");
          assertThat(e.getHeaders().getETag()).isEqualTo("\"5\"");
          assertThat(e.toResponseEntity().getStatusCode().value()).isEqualTo(412);
        });
    assertThat(store.snapshot().version()).isEqualTo(5);
    assertThat(store.stats().versionConflicts()).isZero();
  }

  @Test
  void update_ifMatchStar_isUnconditional() {
    Store<Integer> store = storeAtVersion(5);
    assertThat(ConditionalRequests
        .update(headers(HttpHeaders.IF_MATCH, "*"), store, null, n -> n + 1).version())
        .isEqualTo(6);
  }

  @Test
  void update_noIfMatch_isUnconditional() {
    Store<Integer> store = storeAtVersion(5);
    assertThat(ConditionalRequests.update(new HttpHeaders(), store, null, n -> n + 1).version())
        .isEqualTo(6);
  }

  @Test
  void update_ifMatchListContainingCurrent_commits() {
    Store<Integer> store = storeAtVersion(5);
    assertThat(ConditionalRequests.update(
        headers(HttpHeaders.IF_MATCH, "\"3\", \"5\"", "\"9\""), store, null, n -> n + 1).version())
        .isEqualTo(6);
    assertThatThrownBy(() -> ConditionalRequests.update(
        headers(HttpHeaders.IF_MATCH, "\"3\",\"5\""), store, null, n -> n + 1))
        .isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  void update_weakOrForeignTag_is412() {
    Store<Integer> store = storeAtVersion(5);
    for (String field : new String[] {"W/\"5\"", "\"abc\"", "\"-5\""}) {
      assertThatThrownBy(() -> ConditionalRequests
              .update(headers(HttpHeaders.IF_MATCH, field), store, null, n -> n + 1))
          .as(field)
          .isInstanceOf(PreconditionFailedException.class);
    }
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void update_unquotedTag_isReadLeniently() {
    Store<Integer> store = storeAtVersion(5);
    assertThat(ConditionalRequests
        .update(headers(HttpHeaders.IF_MATCH, "5"), store, null, n -> n + 1).version())
        .isEqualTo(6);
  }

  @Test
  void update_malformedIfMatch_is400AndChangesNothing() {
    Store<Integer> store = storeAtVersion(5);
    for (String field : new String[] {"\"5", "*, \"5\"", " , ", "a\"b"}) {
      assertThatThrownBy(() -> ConditionalRequests
              .update(headers(HttpHeaders.IF_MATCH, field), store, null, n -> n + 1))
          .as(field)
          .isInstanceOfSatisfying(InvalidPreconditionException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(e.getBody().getDetail()).contains("If-Match");
          });
    }
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void write_returnsNewETagAndBody() {
    Store<Integer> store = storeAtVersion(1);
    StepVerifier.create(ConditionalRequests.write(
            headers(HttpHeaders.IF_MATCH, "\"1\""), store, n -> n * 100, n -> "value " + n))
        .assertNext(response -> {
          assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
          assertThat(response.getHeaders().getETag()).isEqualTo("\"2\"");
          assertThat(response.getBody()).isEqualTo("value 100");
        })
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void write_stale_signalsPreconditionFailed() {
    Store<Integer> store = storeAtVersion(2);
    StepVerifier.create(ConditionalRequests.write(
            headers(HttpHeaders.IF_MATCH, "\"1\""), store, n -> n + 1, n -> n))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(PreconditionFailedException.class)
            .hasMessageContaining("version 2"))
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void update_concurrentWritersWithSameIfMatch_exactlyOneWins() {
    for (int round = 0; round < 200; round++) {
      Store<Integer> store = storeAtVersion(1);
      java.util.concurrent.atomic.AtomicInteger won = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger failed =
          new java.util.concurrent.atomic.AtomicInteger();
      Runnable write = () -> {
        try {
          ConditionalRequests.update(headers(HttpHeaders.IF_MATCH, "\"1\""), store, null, n -> n + 1);
          won.incrementAndGet();
        } catch (PreconditionFailedException e) {
          assertThat(e.currentVersion()).isEqualTo(2);
          failed.incrementAndGet();
        }
      };
      reactor.test.util.RaceTestUtils.race(write, write);
      assertThat(won.get()).isOne();
      assertThat(failed.get()).isOne();
      assertThat(store.snapshot().version()).isEqualTo(2);
      assertThat(store.get()).isEqualTo(2);
    }
  }
}
