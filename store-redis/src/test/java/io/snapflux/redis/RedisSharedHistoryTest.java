package io.snapflux.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapflux.store.History;
import io.snapflux.store.HistoryCause;
import io.snapflux.store.Outcome;
import io.snapflux.store.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.groups.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * History on the shared backend: every instance holds the same versions with the same causes,
 * and undo and redo, derived from the causes in the shared history, are the same on every
 * instance and committed through the one compare-and-set.
 */
final class RedisSharedHistoryTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = new RedisServerExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final String name = "shared-history-" + UUID.randomUUID();
  private final List<RedisStore<?>> stores = new ArrayList<>();

  @AfterEach
  void close() {
    stores.forEach(RedisStore::close);
  }

  private RedisStore<Integer> instance() {
    return instance(5);
  }

  private RedisStore<Integer> instance(int historySize) {
    RedisStore<Integer> s = RedisStore.builder(name, 0).client(REDIS.client())
        .type(Integer.class).history(historySize).build();
    stores.add(s);
    return s;
  }

  private static History<Integer> history(RedisStore<Integer> s) {
    return s.history().orElseThrow();
  }

  private static List<Tuple> versions(RedisStore<Integer> s) {
    return history(s).versions().map(v -> tuple(v.version(), v.state(), v.cause())).asJava();
  }

  private static void awaitVersion(RedisStore<Integer> s, long version) {
    Awaitility.await().atMost(TIMEOUT).until(() -> s.snapshot().version() == version);
  }

  @Test
  void undoOnA_isSeenOnB_asAnUndoNamingWhoAsked_andBsHistoryEqualsAs() {
    RedisStore<Integer> a = instance(10);
    RedisStore<Integer> b = instance(10);
    for (int i = 1; i <= 3; i++) {
      int n = i;
      a.update("set " + n, s -> n);
    }
    Snapshot<Integer> undone = history(a).undo("ann");
    awaitVersion(b, 4);

    assertThat(undone.state()).isEqualTo(2);
    assertThat(b.snapshot().state()).isEqualTo(2);
    assertThat(b.snapshot().cause()).isEqualTo(new HistoryCause.Undo(3, 2, "ann"));
    assertThat(versions(b)).isEqualTo(versions(a));
    assertThat(history(b).canRedo()).isTrue();

    // B redoes A's undo, A undoes twice: each instance continues the same stacks.
    Snapshot<Integer> redone = history(b).redo("bob");
    assertThat(redone.state()).isEqualTo(3);
    assertThat(redone.cause()).isEqualTo(new HistoryCause.Redo(3, "bob"));
    awaitVersion(a, 5);
    assertThat(history(a).undo(null).state()).isEqualTo(2);
    assertThat(history(a).undo(null).state()).isEqualTo(1);
    awaitVersion(b, 7);
    assertThat(history(b).redo(null).state()).isEqualTo(2);
    awaitVersion(a, 8);
    assertThat(versions(b)).isEqualTo(versions(a));
    assertThat(versions(a)).extracting(t -> t.toList().get(0))
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }

  @Test
  void instanceStartedLater_readsTheHistoryFromTheStream_andUndoesWhatTheOthersWould() {
    RedisStore<Integer> a = instance();
    for (int i = 1; i <= 6; i++) {
      int n = i;
      a.update(s -> n);
    }
    history(a).undo("ann");

    RedisStore<Integer> c = instance();

    assertThat(versions(c)).isEqualTo(versions(a));
    assertThat(history(c).at(2)).isEmpty();
    assertThat(history(c).at(4)).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(4));
    // The next undo restores version 4's state (version 5 was undone by A's undo at 7).
    assertThat(history(c).undo("cid").state()).isEqualTo(4);
  }

  @Test
  void undoIfVersion_onTwoInstancesAtOnce_exactlyOneApplies() throws Exception {
    RedisStore<Integer> a = instance();
    RedisStore<Integer> b = instance();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        int n = round + 10;
        Snapshot<Integer> before = a.update(s -> n);
        awaitVersion(b, before.version());
        CountDownLatch start = new CountDownLatch(1);
        Callable<Outcome<Integer>> onA = () -> {
          start.await();
          return history(a).undoIfVersion(before.version(), "a");
        };
        Callable<Outcome<Integer>> onB = () -> {
          start.await();
          return history(b).undoIfVersion(before.version(), "b");
        };
        Future<Outcome<Integer>> fa = pool.submit(onA);
        Future<Outcome<Integer>> fb = pool.submit(onB);
        start.countDown();
        Outcome<Integer> oa = fa.get();
        Outcome<Integer> ob = fb.get();

        assertThat(List.of(oa.applied(), ob.applied())).containsExactlyInAnyOrder(true, false);
        awaitVersion(a, before.version() + 1);
        awaitVersion(b, before.version() + 1);
        assertThat(a.snapshot().state()).isEqualTo(b.snapshot().state());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  record Deploy(String service, int replicas) {}

  @Test
  void causes_travelAsJson_theWriterKeepsItsObject() {
    RedisStore<Integer> a = instance();
    RedisStore<Integer> b = instance();
    Deploy deploy = new Deploy("api", 3);

    Snapshot<Integer> own = a.update(deploy, s -> 1);
    awaitVersion(b, 1);

    assertThat(own.cause()).isSameAs(deploy);
    assertThat(a.snapshot().cause()).isSameAs(deploy);
    assertThat(b.snapshot().cause()).isInstanceOfSatisfying(JsonNode.class, node -> {
      assertThat(node.get("service").asString()).isEqualTo("api");
      assertThat(node.get("replicas").asInt()).isEqualTo(3);
    });

    a.update("plain text", s -> 2);
    awaitVersion(b, 2);
    assertThat(b.snapshot().cause()).isEqualTo("plain text");

    RedisStore<Integer> late = instance();
    assertThat(history(late).at(1).orElseThrow().cause()).isInstanceOf(JsonNode.class);
  }

  @Test
  void undo_targetsOnlyVersionsWithinTheHistorySize() {
    RedisStore<Integer> a = instance(3);
    a.update(s -> 1);
    a.update(s -> 2);
    a.update(s -> 3);
    // versions 1..3 kept: undo restores 2 as version 4; then 2..4 are kept, and the next undo
    // would restore version 1, outside them: nothing to undo.
    assertThat(history(a).undo(null).state()).isEqualTo(2);
    assertThat(history(a).canUndo()).isFalse();
    assertThat(history(a).undo(null).version()).isEqualTo(4);
    assertThat(history(a).canRedo()).isTrue();
  }

  @Test
  void withoutHistorySize_noHistoryCapability() {
    RedisStore<Integer> s = RedisStore.builder(name, 0).client(REDIS.client())
        .type(Integer.class).build();
    stores.add(s);

    assertThat(s.history()).isEmpty();
  }
}
