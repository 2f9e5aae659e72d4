package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.store.Snapshot;
import io.snapflux.spring.web.ConditionalRequests.Plan;
import io.snapflux.spring.web.ConditionalRequests.Written;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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

  /** The fields with every bare or quoted version N written as the token of {@code store}'s epoch. */
  private static HttpHeaders tagged(Store<?> store, String name, String... values) {
    String epoch = store.snapshot().epoch();
    HttpHeaders headers = new HttpHeaders();
    for (String value : values) {
      headers.add(name, value.matches("\\d+") ? epoch + "." + value
          : value.replaceAll("\"(\\d+)\"", "\"" + epoch + ".$1\""));
    }
    return headers;
  }

  private static String eTag(Store<?> store, long version) {
    return new VersionToken(store.snapshot().epoch(), version).eTag();
  }

  private static Store<Integer> storeAtVersion(long version) {
    Store<Integer> store = Store.builder(0).name("counter").history(10).build();
    for (long i = 0; i < version; i++) {
      store.update(n -> n + 1);
    }
    return store;
  }

  @Test
  void eTag_isTheQuotedToken() {
    Store<Integer> store = storeAtVersion(7);
    assertThat(ConditionalRequests.eTag(store, store.snapshot()))
        .isEqualTo("\"" + store.snapshot().epoch() + ".7\"");
  }

  @Test
  void read_withoutCondition_is200WithETagAndBody() {
    Store<Integer> store = storeAtVersion(3);
    ResponseEntity<Integer> response = ConditionalRequests
        .readNow(new HttpHeaders(), store, store.snapshot(), Snapshot::state);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getHeaders().getETag()).isEqualTo(eTag(store, 3));
    assertThat(response.getBody()).isEqualTo(3);
  }

  @Test
  void read_ifNoneMatchCurrent_is304WithoutBody() {
    Store<Integer> store = storeAtVersion(3);
    for (String field : new String[] {"\"3\"", "W/\"3\"", "\"1\", \"3\"", "*"}) {
      ResponseEntity<Integer> response = ConditionalRequests.readNow(
          tagged(store, HttpHeaders.IF_NONE_MATCH, field), store, store.snapshot(),
          Snapshot::state);
      assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.NOT_MODIFIED);
      assertThat(response.getHeaders().getETag()).isEqualTo(eTag(store, 3));
      assertThat(response.getBody()).isNull();
    }
  }

  @Test
  void read_ifNoneMatchStaleOrMalformed_is200() {
    Store<Integer> store = storeAtVersion(3);
    for (String field : new String[] {"\"2\"", "\"abc\"", "\"3"}) {
      ResponseEntity<Integer> response = ConditionalRequests.readNow(
          tagged(store, HttpHeaders.IF_NONE_MATCH, field), store, store.snapshot(),
          Snapshot::state);
      assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.OK);
    }
  }

  @Test
  void read_ifNoneMatchOfAnotherEpochOrLegacy_is200() {
    Store<Integer> store = storeAtVersion(3);
    Store<Integer> restarted = storeAtVersion(3);
    for (String field : new String[] {"\"3\"", eTag(restarted, 3)}) {
      ResponseEntity<Integer> response = ConditionalRequests.readNow(
          headers(HttpHeaders.IF_NONE_MATCH, field), store, store.snapshot(), Snapshot::state);
      assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.OK);
      assertThat(response.getHeaders().getETag()).isEqualTo(eTag(store, 3));
    }
  }

  @Test
  void read_nullBody_is404WithETag() {
    Store<Integer> store = storeAtVersion(3);
    ResponseEntity<Object> response = ConditionalRequests
        .readNow(new HttpHeaders(), store, store.snapshot(), s -> null);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(response.getHeaders().getETag()).isEqualTo(eTag(store, 3));
  }

  @Test
  void legacyTagIsAnotherEpoch_412NamingTheCurrentToken() {
    Store<Integer> store = storeAtVersion(5);
    Store<Integer> other = storeAtVersion(5);
    for (String field : new String[] {"\"5\"", eTag(other, 5)}) {
      assertThatThrownBy(() -> ConditionalRequests
              .update(headers(HttpHeaders.IF_MATCH, field), store, null, n -> n + 1))
          .as(field)
          .isInstanceOfSatisfying(PreconditionFailedException.class, e -> {
            assertThat(e.getHeaders().getETag()).isEqualTo(eTag(store, 5));
            assertThat(e.getBody().getProperties())
                .containsEntry("currentEpoch", store.snapshot().epoch())
                .containsEntry("currentVersion", 5L);
          });
    }
    assertThat(store.snapshot().version()).isEqualTo(5);
    assertThat(store.stats().versionConflicts())
        .as("a tag of no version of this epoch is no version conflict").isZero();
  }

  @Test
  void modifyEntityAsync_commitsThroughAsyncAndRePlansOnConflict() {
    Store<Integer> store = storeAtVersion(2);
    AtomicInteger plans = new AtomicInteger();
    IfMatch none = ConditionalRequests.ifMatch(new HttpHeaders());
    StepVerifier.create(ConditionalRequests.modifyEntityAsync(none, store, n -> n, n -> {
          if (plans.getAndIncrement() == 0) {
            store.update(m -> m + 100); // another writer commits first
          }
          return new Plan<>(n + 1, "inc", n);
        }, 5))
        .assertNext(written -> {
          assertThat(written.snapshot().version()).isEqualTo(4);
          assertThat(written.snapshot().state()).isEqualTo(103);
          assertThat(written.result()).isEqualTo(102);
        })
        .verifyComplete();
    assertThat(plans).hasValue(2);
  }

  @Test
  void modifyEntityAsync_boundedAttempts_failsNamingStoreAndCommitsNothingOfItsOwn() {
    Store<Integer> store = storeAtVersion(2);
    IfMatch none = ConditionalRequests.ifMatch(new HttpHeaders());
    StepVerifier.create(ConditionalRequests.modifyEntityAsync(none, store, n -> n, n -> {
          store.update(m -> m + 100);
          return new Plan<>(-1, "never", n);
        }, 3))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(WriteContentionException.class).hasMessageContaining("counter"))
        .verify();
    assertThat(store.snapshot().state()).isEqualTo(302);
  }

  @Test
  void modifyEntityAsync_stale_fails412AndChangesNothing() {
    Store<Integer> store = storeAtVersion(5);
    IfMatch stale = ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"2\""));
    StepVerifier.create(ConditionalRequests.modifyEntityAsync(
            stale, store, n -> n, n -> new Plan<>(n + 1, "inc", n), 5))
        .expectError(PreconditionFailedException.class)
        .verify();
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void modifyEntityAsync_maxAttemptsBelowOne_refused() {
    Store<Integer> store = storeAtVersion(1);
    assertThatThrownBy(() -> ConditionalRequests.modifyEntityAsync(
            ConditionalRequests.ifMatch(new HttpHeaders()), store, n -> n,
            n -> new Plan<>(n, null, n), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
  }

  @Test
  void update_ifMatchCurrent_commitsVersionChecked() {
    Store<Integer> store = storeAtVersion(2);
    Snapshot<Integer> committed = ConditionalRequests
        .update(tagged(store, HttpHeaders.IF_MATCH, "\"2\""), store, "inc", n -> n + 10);
    assertThat(committed.version()).isEqualTo(3);
    assertThat(committed.state()).isEqualTo(12);
    assertThat(committed.cause()).isEqualTo("inc");
  }

  @Test
  void update_ifMatchStale_throws412NamingCurrentVersionAndChangesNothing() {
    Store<Integer> store = storeAtVersion(5);
    assertThatThrownBy(() -> ConditionalRequests
            .update(tagged(store, HttpHeaders.IF_MATCH, "\"4\""), store, null, n -> n + 1))
        .isInstanceOfSatisfying(PreconditionFailedException.class, e -> {
          assertThat(e.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
          assertThat(e.currentVersion()).isEqualTo(5);
          ProblemDetail body = e.getBody();
          assertThat(body.getStatus()).isEqualTo(412);
          assertThat(body.getTitle()).isEqualTo("Precondition Failed");
          assertThat(body.getDetail()).contains("version 5").contains(eTag(store, 4));
          assertThat(body.getProperties()).containsEntry("currentVersion", 5L)
              .containsEntry("currentEpoch", store.snapshot().epoch())
              .containsEntry("expected", eTag(store, 4));
          assertThat(e.getHeaders().getETag()).isEqualTo(eTag(store, 5));
          assertThat(e.toResponseEntity().getStatusCode().value()).isEqualTo(412);
        });
    assertThat(store.snapshot().version()).isEqualTo(5);
    // The refusal goes through the store, which counts it as the version conflict it is.
    assertThat(store.stats().versionConflicts()).isEqualTo(1);
  }

  @Test
  void update_ifMatchStar_isUnconditional() {
    Store<Integer> store = storeAtVersion(5);
    assertThat(ConditionalRequests
        .update(tagged(store, HttpHeaders.IF_MATCH, "*"), store, null, n -> n + 1).version())
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
        tagged(store, HttpHeaders.IF_MATCH, "\"3\", \"5\"", "\"9\""), store, null, n -> n + 1).version())
        .isEqualTo(6);
    assertThatThrownBy(() -> ConditionalRequests.update(
        tagged(store, HttpHeaders.IF_MATCH, "\"3\",\"5\""), store, null, n -> n + 1))
        .isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  void update_weakOrForeignTag_is412() {
    Store<Integer> store = storeAtVersion(5);
    for (String field : new String[] {"W/\"5\"", "\"abc\"", "\"-5\""}) {
      assertThatThrownBy(() -> ConditionalRequests
              .update(tagged(store, HttpHeaders.IF_MATCH, field), store, null, n -> n + 1))
          .as(field)
          .isInstanceOf(PreconditionFailedException.class);
    }
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void update_unquotedTag_isReadLeniently() {
    Store<Integer> store = storeAtVersion(5);
    assertThat(ConditionalRequests
        .update(tagged(store, HttpHeaders.IF_MATCH, "5"), store, null, n -> n + 1).version())
        .isEqualTo(6);
  }

  @Test
  void update_malformedIfMatch_is400AndChangesNothing() {
    Store<Integer> store = storeAtVersion(5);
    for (String field : new String[] {"\"5", "*, \"5\"", " , ", "a\"b"}) {
      assertThatThrownBy(() -> ConditionalRequests
              .update(tagged(store, HttpHeaders.IF_MATCH, field), store, null, n -> n + 1))
          .as(field)
          .isInstanceOfSatisfying(InvalidPreconditionException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(e.getBody().getDetail()).contains("If-Match");
          });
    }
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void update_staleIfMatch_failureOfTheFunctionTakesPrecedenceOver412() {
    Store<Integer> store = storeAtVersion(5);
    assertThatThrownBy(() -> ConditionalRequests.update(tagged(store, HttpHeaders.IF_MATCH, "\"4\""),
            store, null, n -> {
              throw new IllegalStateException("no such resource");
            }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void modify_reportsTheResultOfWhatWasCommitted_createThenReplace() {
    Store<Map<String, Integer>> store = Store.<Map<String, Integer>>builder(
        Map.of()).name("map").build();
    Written<Map<String, Integer>, Boolean> created =
        ConditionalRequests.modify(ConditionalRequests.ifMatch(new HttpHeaders()), store, put("a"));
    assertThat(created.result()).isTrue();
    assertThat(created.snapshot().version()).isEqualTo(1);
    assertThat(created.snapshot().cause()).isEqualTo("create a");

    Written<Map<String, Integer>, Boolean> replaced = ConditionalRequests.modify(
        ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"1\"")), store, put("a"));
    assertThat(replaced.result()).isFalse();
    assertThat(replaced.snapshot().version()).isEqualTo(2);
    assertThat(replaced.snapshot().cause()).isEqualTo("replace a");
    assertThat(store.snapshot().state()).containsEntry("a", 2);
  }

  /** Puts {@code key}, counting the puts; the result says whether it was created. */
  private static Function<Map<String, Integer>, Plan<Map<String, Integer>, Boolean>> put(
      String key) {
    return map -> {
      boolean created = !map.containsKey(key);
      Map<String, Integer> next = new HashMap<>(map);
      next.merge(key, 1, Integer::sum);
      return new Plan<>(Map.copyOf(next), (created ? "create " : "replace ") + key, created);
    };
  }

  @Test
  void modify_staleIfMatch_throws412AndChangesNothing() {
    Store<Integer> store = storeAtVersion(5);
    assertThatThrownBy(() -> ConditionalRequests.modify(
            ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"4\"")), store,
            n -> new Plan<>(n + 1, null, "r")))
        .isInstanceOfSatisfying(PreconditionFailedException.class, e -> {
          assertThat(e.currentVersion()).isEqualTo(5);
          assertThat(e.expected()).isEqualTo(eTag(store, 4));
        });
    assertThat(store.snapshot().version()).isEqualTo(5);
    // The refusal goes through the store, which counts it as the version conflict it is.
    assertThat(store.stats().versionConflicts()).isEqualTo(1);
  }

  @Test
  void modify_staleIfMatch_failureOfTheFunctionTakesPrecedenceOver412() {
    Store<Integer> store = storeAtVersion(5);
    assertThatThrownBy(() -> ConditionalRequests.modify(
            ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"4\"")), store, n -> {
              throw new IllegalStateException("no such resource");
            }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.snapshot().version()).isEqualTo(5);
  }

  @Test
  void modify_versionOvertakenAfterPlanning_is412_andCommitsNothingOfTheRequest() {
    Store<Integer> store = storeAtVersion(5);
    AtomicInteger plans = new AtomicInteger();
    assertThatThrownBy(() -> ConditionalRequests.modify(
            ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"5\"")), store, n -> {
              if (plans.getAndIncrement() == 0) {
                store.update("other writer", m -> m + 100);
              }
              return new Plan<>(n + 1, "request", n);
            }))
        .isInstanceOfSatisfying(PreconditionFailedException.class,
            e -> assertThat(e.currentVersion()).isEqualTo(6));
    assertThat(store.snapshot().version()).isEqualTo(6);
    assertThat(store.snapshot().cause()).isEqualTo("other writer");
    assertThat(store.snapshot().state()).isEqualTo(105);
  }

  @Test
  void modify_unconditional_overtakenAfterPlanning_plansAgainOnTheNewerState() {
    for (String field : new String[] {null, "*"}) {
      Store<Integer> store = storeAtVersion(5);
      AtomicInteger plans = new AtomicInteger();
      HttpHeaders headers =
          field == null ? new HttpHeaders() : tagged(store, HttpHeaders.IF_MATCH, field);
      Written<Integer, Integer> written = ConditionalRequests.modify(
          ConditionalRequests.ifMatch(headers), store, n -> {
            if (plans.getAndIncrement() == 0) {
              store.update("other writer", m -> m + 100);
            }
            return new Plan<>(n + 1, "request", n);
          });
      assertThat(plans.get()).as(field).isEqualTo(2);
      assertThat(written.result()).as("the committed plan's result").isEqualTo(105);
      assertThat(written.snapshot().version()).isEqualTo(7);
      assertThat(written.snapshot().cause()).isEqualTo("request");
      assertThat(store.snapshot().state()).isEqualTo(106);
    }
  }

  @Test
  void commit_undoIfVersion_currentIfMatch_undoes() {
    Store<Integer> store = storeAtVersion(2);
    Snapshot<Integer> undone = ConditionalRequests.commit(
        ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"1\", \"2\"")), store,
        v -> store.history().orElseThrow().undoIfVersion(v, null));
    assertThat(undone.version()).isEqualTo(3);
    assertThat(undone.state()).isEqualTo(1);
  }

  @Test
  void commit_undoIfVersion_staleIfMatch_throws412AndUndoesNothing() {
    Store<Integer> store = storeAtVersion(2);
    assertThatThrownBy(() -> ConditionalRequests.commit(
            ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"1\"")), store,
            v -> store.history().orElseThrow().undoIfVersion(v, null)))
        .isInstanceOfSatisfying(PreconditionFailedException.class,
            e -> assertThat(e.currentVersion()).isEqualTo(2));
    assertThat(store.snapshot().version()).isEqualTo(2);
    assertThat(store.snapshot().state()).isEqualTo(2);
    assertThat(store.history().orElseThrow().canUndo()).isTrue();
  }

  @Test
  void commit_listedVersionOvertakenByAnotherListedOne_appliesAtTheNewer() {
    Store<Integer> store = storeAtVersion(5);
    List<Long> attempts = new ArrayList<>();
    Snapshot<Integer> committed = ConditionalRequests.commit(
        ConditionalRequests.ifMatch(tagged(store, HttpHeaders.IF_MATCH, "\"5\", \"6\"")), store,
        version -> {
          attempts.add(version);
          if (attempts.size() == 1) {
            store.update(n -> n + 100);
          }
          return store.updateIfVersion(version, n -> n + 1);
        });
    assertThat(attempts).containsExactly(5L, 6L);
    assertThat(committed.version()).isEqualTo(7);
    assertThat(committed.state()).isEqualTo(106);
  }

  @Test
  void write_returnsNewETagAndBody() {
    Store<Integer> store = storeAtVersion(1);
    StepVerifier.create(ConditionalRequests.write(
            tagged(store, HttpHeaders.IF_MATCH, "\"1\""), store, n -> n * 100, n -> "value " + n))
        .assertNext(response -> {
          assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
          assertThat(response.getHeaders().getETag()).isEqualTo(eTag(store, 2));
          assertThat(response.getBody()).isEqualTo("value 100");
        })
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void write_stale_signalsPreconditionFailed() {
    Store<Integer> store = storeAtVersion(2);
    StepVerifier.create(ConditionalRequests.write(
            tagged(store, HttpHeaders.IF_MATCH, "\"1\""), store, n -> n + 1, n -> n))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(PreconditionFailedException.class)
            .hasMessageContaining("version 2"))
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void update_concurrentWritersWithSameIfMatch_exactlyOneWins() {
    for (int round = 0; round < 200; round++) {
      Store<Integer> store = storeAtVersion(1);
      AtomicInteger won = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      Runnable write = () -> {
        try {
          ConditionalRequests.update(tagged(store, HttpHeaders.IF_MATCH, "\"1\""), store, null, n -> n + 1);
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
      assertThat(store.snapshot().state()).isEqualTo(2);
    }
  }
}
