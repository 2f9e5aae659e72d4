package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.spring.web.ConditionalRequests.Plan;
import io.snapflux.spring.web.ConditionalRequests.Written;
import io.snapflux.store.AsyncWrites;
import io.snapflux.store.ForwardingStore;
import io.snapflux.store.HistoryCause;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The non-blocking writes of {@link ConditionalRequests}: they commit only through {@link
 * Store#async()} (never the blocking methods), complete when the backend acknowledges, follow the
 * same {@code If-Match} rules as the synchronous forms, and give up after a bounded number of
 * conflicting attempts without committing anything of their own.
 */
final class ConditionalRequestsAsyncTest {

  private static Store<Integer> counter() {
    return Store.builder(0).name("counter").history(10).build();
  }

  private static HttpHeaders ifMatch(Store<?> store, long... versions) {
    HttpHeaders headers = new HttpHeaders();
    for (long v : versions) {
      headers.add(HttpHeaders.IF_MATCH, new VersionToken(store.snapshot().epoch(), v).eTag());
    }
    return headers;
  }

  private static IfMatch parsed(HttpHeaders headers) {
    return ConditionalRequests.ifMatch(headers);
  }

  @Test
  void updateAsync_withoutIfMatch_commits() {
    Store<Integer> store = counter();
    StepVerifier.create(ConditionalRequests.updateAsync(new HttpHeaders(), store, "inc", n -> n + 1))
        .assertNext(s -> {
          assertThat(s.version()).isEqualTo(1);
          assertThat(s.state()).isEqualTo(1);
          assertThat(s.cause()).isEqualTo("inc");
        })
        .verifyComplete();
  }

  @Test
  void updateAsync_isLazy_nothingCommitsBeforeSubscription() {
    Store<Integer> store = counter();
    Mono<Snapshot<Integer>> write =
        ConditionalRequests.updateAsync(ifMatch(store, 0), store, null, n -> n + 1);
    assertThat(store.snapshot().version()).isZero();
    assertThat(write.block()).extracting(Snapshot::version).isEqualTo(1L);
  }

  @Test
  void updateAsync_currentIfMatch_commits_staleIfMatch_is412AndNothingChanges() {
    Store<Integer> store = counter();
    HttpHeaders atZero = ifMatch(store, 0);
    assertThat(ConditionalRequests.updateAsync(atZero, store, null, n -> n + 1).block().version())
        .isEqualTo(1);

    StepVerifier.create(ConditionalRequests.updateAsync(atZero, store, null, n -> n + 100))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(PreconditionFailedException.class);
          assertThat(((PreconditionFailedException) e).currentVersion()).isEqualTo(1);
          assertThat(((PreconditionFailedException) e).getStatusCode())
              .isEqualTo(HttpStatus.PRECONDITION_FAILED);
        })
        .verify();
    assertThat(store.snapshot().state()).isEqualTo(1);
    assertThat(store.snapshot().version()).isEqualTo(1);
  }

  @Test
  void updateAsync_malformedIfMatch_failsWith400BeforeAnythingCommits() {
    Store<Integer> store = counter();
    HttpHeaders headers = new HttpHeaders();
    headers.add(HttpHeaders.IF_MATCH, "\"0"); // an unterminated quoted tag
    Mono<Snapshot<Integer>> write = ConditionalRequests.updateAsync(headers, store, null, n -> n + 1);
    StepVerifier.create(write).expectError(InvalidPreconditionException.class).verify();
    assertThat(store.snapshot().version()).isZero();
  }

  @Test
  void modifyAsync_returnsThePlansResult_andTheCommittedToken() {
    Store<Integer> store = counter();
    Written<Integer, String> written = ConditionalRequests.modifyAsync(parsed(ifMatch(store, 0)),
            store, n -> new Plan<>(n + 5, "add five", "was " + n), 3)
        .block();
    assertThat(written).isNotNull();
    assertThat(written.result()).isEqualTo("was 0");
    assertThat(written.snapshot().state()).isEqualTo(5);
    assertThat(written.snapshot().cause()).isEqualTo("add five");
    assertThat(written.eTag()).isEqualTo(VersionToken.of(written.snapshot(), store));
  }

  @Test
  void modifyAsync_withoutIfMatch_overtakenOnce_plansAgainOnTheNewerState() {
    Store<Integer> store = counter();
    AtomicInteger plans = new AtomicInteger();
    Written<Integer, Integer> written = ConditionalRequests.modifyAsync(parsed(new HttpHeaders()),
            store, n -> {
              if (plans.incrementAndGet() == 1) {
                store.update("other writer", m -> m + 10); // wins the race against this plan
              }
              return new Plan<>(n + 1, "mine", n);
            }, 5)
        .block();
    assertThat(plans).hasValue(2);
    assertThat(written.result()).as("planned on the newer state").isEqualTo(10);
    assertThat(store.snapshot().state()).isEqualTo(11);
    assertThat(store.snapshot().version()).isEqualTo(2);
  }

  @Test
  void modifyAsync_ifMatchOvertaken_is412_andOnlyTheOtherWriteCommitted() {
    Store<Integer> store = counter();
    StepVerifier.create(ConditionalRequests.modifyAsync(parsed(ifMatch(store, 0)), store, n -> {
          if (store.snapshot().version() == 0) {
            store.update("other writer", m -> m + 10);
          }
          return new Plan<>(n + 1, "mine", n);
        }, 5))
        .expectError(PreconditionFailedException.class)
        .verify();
    assertThat(store.snapshot().state()).isEqualTo(10);
    assertThat(store.snapshot().cause()).isEqualTo("other writer");
  }

  @Test
  void modifyAsync_alwaysOvertaken_givesUpAfterMaxAttempts_namingTheStore_committingNothing() {
    Store<Integer> store = counter();
    AtomicInteger plans = new AtomicInteger();
    StepVerifier.create(ConditionalRequests.modifyAsync(parsed(new HttpHeaders()), store, n -> {
          plans.incrementAndGet();
          store.update("other writer", m -> m + 10);
          return new Plan<>(n + 1, "mine", n);
        }, 4))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(WriteContentionException.class)
              .hasMessageContaining("'counter'")
              .hasMessageContaining("conflicting");
          WriteContentionException contention = (WriteContentionException) e;
          assertThat(contention.getStatusCode().value()).isEqualTo(503);
          assertThat(contention.getHeaders().getFirst("Retry-After")).isEqualTo("1");
          assertThat(contention.storeName()).isEqualTo("counter");
          assertThat(contention.newestVersion()).isEqualTo(4);
          assertThat(contention.getBody().getProperties()).containsEntry("store", "counter");
        })
        .verify();
    assertThat(plans).hasValue(4);
    assertThat(store.snapshot().version()).as("only the other writer's commits").isEqualTo(4);
    assertThat(store.snapshot().state()).isEqualTo(40);
  }

  @Test
  void overtakenOnEveryAttempt_overHttp_is503WithRetryAfter_andCommitsNothingOfItsOwn() {
    Store<Integer> store = counter();
    var routes = org.springframework.web.reactive.function.server.RouterFunctions.route()
        .POST("/inc", request -> ConditionalRequests.modifyAsync(
                ConditionalRequests.ifMatch(request.headers().asHttpHeaders()), store, n -> {
                  store.update("other writer", m -> m + 10);
                  return new Plan<>(n + 1, "mine", n);
                }, 3)
            .flatMap(written -> org.springframework.web.reactive.function.server.ServerResponse
                .ok().bodyValue(written.snapshot().version())))
        .build();
    org.springframework.test.web.reactive.server.WebTestClient.bindToRouterFunction(routes).build()
        .post().uri("/inc").exchange()
        .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
        .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "1");
    assertThat(store.snapshot().state()).as("only the other writer's commits").isEqualTo(30);
  }

  @Test
  void maxAttemptsBelowOne_isRefusedAtOnce() {
    Store<Integer> store = counter();
    assertThatThrownBy(() -> ConditionalRequests.modifyAsync(
            parsed(new HttpHeaders()), store, n -> new Plan<>(n, null, n), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> ConditionalRequests.commitAsync(
            parsed(new HttpHeaders()), store, v -> Mono.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
  }

  @Test
  void commitAsync_undoAtTheCurrentVersion_undoes_staleVersion_is412() {
    Store<Integer> store = counter();
    store.update("one", n -> n + 1);
    var history = store.history().orElseThrow().async();

    Snapshot<Integer> undone = ConditionalRequests.commitAsync(parsed(ifMatch(store, 1)), store,
        v -> history.undoIfVersion(v, "alice"), 3).block();
    assertThat(undone.version()).isEqualTo(2);
    assertThat(undone.state()).isZero();
    assertThat(undone.cause()).isEqualTo(new HistoryCause.Undo(1, 0, "alice"));

    StepVerifier.create(ConditionalRequests.commitAsync(parsed(ifMatch(store, 1)), store,
            v -> history.undoIfVersion(v, "alice"), 3))
        .expectError(PreconditionFailedException.class)
        .verify();
    assertThat(store.snapshot().version()).isEqualTo(2);
  }

  @Test
  void commitAsync_operationNeverApplies_givesUpAfterMaxAttempts() {
    Store<Integer> store = counter();
    AtomicInteger calls = new AtomicInteger();
    StepVerifier.create(ConditionalRequests.commitAsync(parsed(new HttpHeaders()), store, v -> {
          calls.incrementAndGet();
          store.update("other writer", n -> n + 1);
          return store.async().updateIfVersion(v, "mine", n -> n + 100);
        }, 3))
        .expectError(WriteContentionException.class)
        .verify();
    assertThat(calls).hasValue(3);
    assertThat(store.snapshot().state()).isEqualTo(3);
  }

  @Test
  void write_answers200WithTheNewETag_or204ForANullBody() {
    Store<Integer> store = counter();
    ResponseEntity<Integer> ok = ConditionalRequests
        .write(ifMatch(store, 0), store, n -> n + 1, n -> n).block();
    assertThat(ok.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(ok.getBody()).isEqualTo(1);
    assertThat(ok.getHeaders().getETag()).isEqualTo(new VersionToken(
        store.snapshot().epoch(), 1).eTag());

    ResponseEntity<Object> none = ConditionalRequests
        .write(new HttpHeaders(), store, n -> n + 1, n -> null).block();
    assertThat(none.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    assertThat(none.getHeaders().getETag()).isEqualTo(new VersionToken(
        store.snapshot().epoch(), 2).eTag());
  }

  /**
   * On a backend whose writes wait for an acknowledgement, every async form commits through
   * {@code async()} only (the blocking methods throw here) and completes only once the backend
   * acknowledges.
   */
  @Test
  void asyncForms_neverCallTheBlockingWrites_andCompleteOnlyWhenTheBackendAcknowledges() {
    AcknowledgingStore store = new AcknowledgingStore(counter());

    var write = ConditionalRequests.write(ifMatch(store, 0), store, "w", n -> n + 1, n -> n)
        .toFuture();
    assertThat(write).isNotDone();
    assertThat(store.snapshot().version()).as("not acknowledged, not committed").isZero();
    store.acknowledge();
    assertThat(write.join().getBody()).isEqualTo(1);

    var modify = ConditionalRequests.modifyAsync(parsed(ifMatch(store, 1)), store,
        n -> new Plan<>(n + 1, "m", n), 3).toFuture();
    assertThat(modify).isNotDone();
    store.acknowledge();
    assertThat(modify.join().snapshot().version()).isEqualTo(2);

    var entity = ConditionalRequests.modifyEntityAsync(parsed(new HttpHeaders()), store,
        n -> n % 2, n -> new Plan<>(n + 1, "e", n), 3).toFuture();
    assertThat(entity).isNotDone();
    store.acknowledge();
    assertThat(entity.join().snapshot().version()).isEqualTo(3);

    var undo = ConditionalRequests.commitAsync(parsed(ifMatch(store, 3)), store,
        v -> store.history().orElseThrow().async().undoIfVersion(v, "bob"), 3).toFuture();
    assertThat(undo.join().version()).isEqualTo(4);
  }

  /** A store whose async writes wait for {@link #acknowledge()}; its blocking writes throw. */
  private static final class AcknowledgingStore extends ForwardingStore<Integer> {

    private Sinks.Empty<Void> ack = Sinks.empty();

    AcknowledgingStore(Store<Integer> delegate) {
      super(delegate);
    }

    void acknowledge() {
      Sinks.Empty<Void> current = ack;
      ack = Sinks.empty();
      current.tryEmitEmpty();
    }

    @Override
    public Snapshot<Integer> update(@Nullable Object cause, UnaryOperator<Integer> fn) {
      throw new AssertionError("blocking update called");
    }

    @Override
    public Outcome<Integer> updateIfVersion(
        long expectedVersion, @Nullable Object cause, UnaryOperator<Integer> fn) {
      throw new AssertionError("blocking updateIfVersion called");
    }

    @Override
    public boolean compareAndSet(long expectedVersion, Integer newState) {
      throw new AssertionError("blocking compareAndSet called");
    }

    @Override
    public AsyncWrites<Integer> async() {
      AsyncWrites<Integer> real = delegate().async();
      return new AsyncWrites<>() {
        @Override
        public Mono<Snapshot<Integer>> update(@Nullable Object cause, UnaryOperator<Integer> fn) {
          return ack.asMono().then(real.update(cause, fn));
        }

        @Override
        public Mono<Outcome<Integer>> updateIfVersion(
            long expectedVersion, @Nullable Object cause, UnaryOperator<Integer> fn) {
          return ack.asMono().then(real.updateIfVersion(expectedVersion, cause, fn));
        }

        @Override
        public Mono<Boolean> compareAndSet(long expectedVersion, Integer newState) {
          return ack.asMono().then(real.compareAndSet(expectedVersion, newState));
        }
      };
    }
  }
}
