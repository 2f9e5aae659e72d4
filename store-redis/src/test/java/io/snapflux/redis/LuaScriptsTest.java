package io.snapflux.redis;

import static io.snapflux.redis.LuaScripts.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The COMMIT and SYNC scripts on their own, against a test-owned Redis. */
final class LuaScriptsTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = new RedisServerExtension();

  private static StatefulRedisConnection<String, byte[]> connection;
  private static RedisReactiveCommands<String, byte[]> redis;

  private final String prefix = "snapflux:{lua-" + UUID.randomUUID() + "}:";
  private final String[] keys = {prefix + "state", prefix + "version", prefix + "stream",
      prefix + "meta", prefix + "writes"};
  private static final String EPOCH = "e1";

  @BeforeAll
  static void start() {
    connection = REDIS.client().connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    redis = connection.reactive();
  }

  @AfterAll
  static void stop() {
    connection.close();
  }

  private List<Object> commit(long expected, String state, String writeId) {
    return commit(expected, state, writeId, 100, EPOCH, 10_000);
  }

  private List<Object> commit(
      long expected, String state, String writeId, long maxLen, String epoch, long retention) {
    return LuaScripts.run(redis, LuaScripts.COMMIT, LuaScripts.COMMIT_SHA, keys,
        bytes(expected), bytes(state), bytes(1234), bytes(maxLen), bytes(writeId),
        bytes("1"), bytes("cause-" + writeId), bytes(epoch), bytes(retention)).block();
  }

  private List<Object> sync(long version, String state) {
    return LuaScripts.run(redis, LuaScripts.SYNC, LuaScripts.SYNC_SHA, keys,
        bytes(version), bytes(state), bytes(99), bytes(100), bytes("0"), bytes(""),
        bytes(EPOCH)).block();
  }

  private List<Object> fence(String writeId, long firstBase) {
    return LuaScripts.run(redis, LuaScripts.FENCE, LuaScripts.FENCE_SHA, keys,
        bytes(writeId), bytes(firstBase)).block();
  }

  private List<Object> advance(String observedEpoch, long observedVersion, long local) {
    return advance(observedEpoch, observedVersion, local, null);
  }

  private List<Object> advance(
      String observedEpoch, long observedVersion, long local, String localState) {
    return LuaScripts.run(redis, LuaScripts.ADVANCE, LuaScripts.ADVANCE_SHA, keys,
        bytes(observedEpoch), bytes(observedVersion), bytes(local), bytes(555), bytes(100),
        bytes("e2"), bytes("history changed"), bytes(localState == null ? "0" : "1"),
        bytes(localState == null ? "" : localState)).block();
  }

  private long version() {
    return Long.parseLong(text(redis.get(keys[1]).block()));
  }

  private static String text(Object o) {
    return new String((byte[]) o, StandardCharsets.UTF_8);
  }

  @Test
  void commit_missingStore_answersMinusOne() {
    assertThat(commit(0, "1", "w1")).containsExactly(-1L);
  }

  @Test
  void sync_seedsAbsentStore_thenAnswersCurrent() {
    assertThat(sync(0, "\"a\"").subList(0, 2)).containsExactly(1L, 0L);

    List<Object> current = sync(0, "\"ignored\"");
    assertThat(current.get(0)).isEqualTo(0L);
    assertThat(current.get(1)).isEqualTo(0L);
    assertThat(text(current.get(2))).isEqualTo("\"a\"");
  }

  @Test
  void commit_expectedVersion_writesStateVersionAndStreamEntryWithVersionAsId() {
    sync(0, "0");

    assertThat(commit(0, "1", "w1")).containsExactly(1L, 1L);

    assertThat(text(redis.get(keys[1]).block())).isEqualTo("1");
    assertThat(text(redis.get(keys[0]).block())).isEqualTo("1");
    var entries = redis.xrange(keys[2], Range.create("-", "+")).collectList().block();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).getId()).isEqualTo("1-0");
    assertThat(text(entries.get(0).getBody().get("s"))).isEqualTo("1");
    assertThat(text(entries.get(0).getBody().get("c"))).isEqualTo("cause-w1");
    assertThat(text(entries.get(0).getBody().get("t"))).isEqualTo("1234");
  }

  @Test
  void commit_staleVersion_answersCurrentSnapshotAndChangesNothing() {
    sync(0, "0");
    commit(0, "1", "w1");

    List<Object> reply = commit(0, "2", "w2");

    assertThat(reply.get(0)).isEqualTo(0L);
    assertThat(reply.get(1)).isEqualTo(1L);
    assertThat(text(reply.get(2))).isEqualTo("1");
    assertThat(text(reply.get(3))).isEqualTo("1234");
    assertThat(text(reply.get(4))).isEqualTo("1");
    assertThat(text(reply.get(5))).isEqualTo("cause-w1");
    assertThat(text(redis.get(keys[1]).block())).isEqualTo("1");
  }

  @Test
  void commit_resentAfterSuccess_answersCommittedInsteadOfApplyingTwice() {
    sync(0, "0");
    assertThat(commit(0, "1", "w1")).containsExactly(1L, 1L);
    commit(1, "2", "w2");

    assertThat(commit(0, "1", "w1")).containsExactly(2L, 1L);
    assertThat(text(redis.get(keys[1]).block())).isEqualTo("2");
    assertThat(redis.xlen(keys[2]).block()).isEqualTo(2L);
  }

  @Test
  void sync_redisBehindCaller_answersRedisSnapshotAndNeverReseeds() {
    sync(0, "0");
    commit(0, "1", "w1");

    List<Object> reply = sync(7, "7");

    assertThat(reply.subList(0, 2)).containsExactly(0L, 1L);
    assertThat(text(reply.get(6))).isEqualTo(EPOCH);
    assertThat(version()).isEqualTo(1);
    assertThat(text(redis.get(keys[0]).block())).isEqualTo("1");
  }

  @Test
  void sync_absentStore_seedsWithNewEpochAndWriteFloor() {
    List<Object> reply = sync(7, "7");
    assertThat(reply.subList(0, 2)).containsExactly(1L, 7L);
    assertThat(text(reply.get(2))).isEqualTo(EPOCH);
    assertThat(text(redis.hget(keys[3], "e").block())).isEqualTo(EPOCH);
    assertThat(text(redis.hget(keys[3], "f").block())).isEqualTo("8");
    var entries = redis.xrange(keys[2], Range.create("-", "+")).collectList().block();
    assertThat(entries).extracting(e -> e.getId()).containsExactly("7-0");
    assertThat(text(entries.get(0).getBody().get("e"))).isEqualTo(EPOCH);
  }

  @Test
  void commit_resentAfterStreamTrimmed_answersCommittedNotConflict() {
    sync(0, "0");
    assertThat(commit(0, "1", "mine", 1, EPOCH, 10_000)).containsExactly(1L, 1L);
    for (int v = 1; v <= 300; v++) {
      commit(v, Integer.toString(v + 1), "other-" + v, 1, EPOCH, 10_000);
    }
    assertThat(redis.xrange(keys[2], Range.create("1-0", "1-0")).collectList().block())
        .as("the stream trimmed the original entry").isEmpty();

    assertThat(commit(0, "1", "mine", 1, EPOCH, 10_000)).containsExactly(2L, 1L);
    assertThat(version()).isEqualTo(301);
  }

  @Test
  void commit_resentAtCurrentVersionAfterRestore_answersCommittedNotAppliedTwice() {
    sync(0, "0");
    assertThat(commit(0, "1", "w1")).containsExactly(1L, 1L);

    // The same write once more with the version it first saw: never a second commit.
    assertThat(commit(0, "1", "w1")).containsExactly(2L, 1L);
    assertThat(version()).isEqualTo(1);
    assertThat(redis.xlen(keys[2]).block()).isEqualTo(1L);
  }

  @Test
  void commit_writeIds_keptForRetentionVersionsOnly() {
    sync(0, "0");
    for (int v = 0; v < 50; v++) {
      commit(v, Integer.toString(v + 1), "w" + v, 100, EPOCH, 10);
    }

    assertThat(redis.zcard(keys[4]).block()).isEqualTo(10L);
    assertThat(text(redis.hget(keys[3], "f").block())).isEqualTo("41");
  }

  @Test
  void commit_redisBelowExpectedVersion_refusesAndChangesNothing() {
    sync(0, "0");
    commit(0, "1", "w1");

    List<Object> reply = commit(5, "6", "w6");

    assertThat(reply.get(0)).isEqualTo(-3L);
    assertThat(reply.get(1)).isEqualTo(1L);
    assertThat(version()).isEqualTo(1);
  }

  @Test
  void commit_otherEpoch_refusesAndChangesNothing() {
    sync(0, "0");

    List<Object> reply = commit(0, "1", "w1", 100, "another", 10_000);

    assertThat(reply.get(0)).isEqualTo(-2L);
    assertThat(text(reply.get(6))).isEqualTo(EPOCH);
    assertThat(version()).isZero();
  }

  @Test
  void fence_unknownWrite_answersNotCommittedAndALateCopyNeverApplies() {
    sync(0, "0");

    assertThat(fence("late", 0)).containsExactly(0L);
    assertThat(commit(0, "1", "late")).containsExactly(-4L);
    assertThat(version()).isZero();
    assertThat(fence("late", 0)).as("asked again: the same answer").containsExactly(0L);
  }

  @Test
  void fence_committedWrite_answersItsVersion() {
    sync(0, "0");
    commit(0, "1", "w1");
    commit(1, "2", "w2");

    assertThat(fence("w1", 0)).containsExactly(1L, 1L);
    assertThat(fence("w2", 0)).containsExactly(1L, 2L);
  }

  @Test
  void fence_writeOlderThanRetention_answersUnknownAndFencesNothing() {
    sync(0, "0");
    for (int v = 0; v < 20; v++) {
      commit(v, Integer.toString(v + 1), "w" + v, 100, EPOCH, 5);
    }

    assertThat(fence("w0", 0)).containsExactly(-1L);
    assertThat(fence("never", 0)).containsExactly(-1L);
    assertThat(fence("recent", 19)).as("a write that read version 19 is within retention")
        .containsExactly(0L);
  }

  @Test
  void advance_redisStillAsObserved_movesPastLocalVersionUnderNewEpochKeepingState() {
    sync(0, "0");
    commit(0, "1", "w1");

    List<Object> reply = advance(EPOCH, 1, 5);

    assertThat(reply.get(0)).isEqualTo(0L);
    assertThat(reply.get(1)).isEqualTo(7L);
    assertThat(text(reply.get(2))).isEqualTo("1");
    assertThat(text(reply.get(6))).isEqualTo("e2");
    assertThat(text(reply.get(5))).isEqualTo("history changed");
    assertThat(version()).isEqualTo(7);
    assertThat(commit(7, "2", "w8", 100, "e2", 10_000)).containsExactly(1L, 8L);
  }

  @Test
  void advance_withReplicaState_carriesItOn() {
    sync(0, "0");
    commit(0, "1", "w1");

    List<Object> reply = advance(EPOCH, 1, 5, "5");

    assertThat(reply.get(1)).isEqualTo(7L);
    assertThat(text(reply.get(2))).isEqualTo("5");
    assertThat(text(redis.get(keys[0]).block())).isEqualTo("5");
  }

  private List<Object> advanceCarrying(long observedVersion, long local, String localState,
      String... versionIdPairs) {
    List<byte[]> args = new java.util.ArrayList<>(List.of(bytes(EPOCH), bytes(observedVersion),
        bytes(local), bytes(555), bytes(100), bytes("e2"), bytes("history changed"), bytes("1"),
        bytes(localState), bytes(versionIdPairs.length / 2)));
    for (String a : versionIdPairs) {
      args.add(bytes(a));
    }
    return LuaScripts.run(redis, LuaScripts.ADVANCE, LuaScripts.ADVANCE_SHA, keys,
        args.toArray(new byte[0][])).block();
  }

  private Double score(String writeId) {
    return redis.zscore(keys[4], bytes(writeId)).block();
  }

  @Test
  void advance_withReplicaState_recordsTheCarriedWritesAtTheirVersions() {
    sync(0, "0");
    commit(0, "1", "w1");

    List<Object> reply = advanceCarrying(1, 3, "3", "2", "w2", "3", "w3");

    assertThat(reply.get(1)).isEqualTo(5L);
    assertThat(text(redis.get(keys[0]).block())).isEqualTo("3");
    assertThat(score("w2")).isEqualTo(2.0);
    assertThat(score("w3")).isEqualTo(3.0);
    // A writer of w2 whose reply was lost learns it committed, and at which version.
    assertThat(fence("w2", 1)).containsExactly(1L, 2L);
    assertThat(commit(1, "2", "w2")).as("its resend").containsExactly(2L, 2L);
  }

  @Test
  void advance_aCarriedWriteWasFenced_keepsRedisStateAndTheFence() {
    sync(0, "0");
    commit(0, "1", "w1");
    assertThat(fence("w2", 1)).as("declared not committed").containsExactly(0L);

    List<Object> reply = advanceCarrying(1, 3, "3", "2", "w2", "3", "w3");

    assertThat(reply.get(1)).isEqualTo(5L);
    assertThat(text(redis.get(keys[0]).block())).as("Redis's state, not the replica's")
        .isEqualTo("1");
    assertThat(score("w2")).isEqualTo(1.5);
    assertThat(score("w3")).isNull();
    assertThat(fence("w2", 1)).containsExactly(0L);
  }

  @Test
  void advance_redisMovedSinceObserved_changesNothing() {
    sync(0, "0");
    commit(0, "1", "w1");
    commit(1, "2", "w2");

    List<Object> reply = advance(EPOCH, 1, 5);

    assertThat(reply.get(1)).isEqualTo(2L);
    assertThat(text(reply.get(6))).isEqualTo(EPOCH);
    assertThat(version()).isEqualTo(2);
  }

  @Test
  void commit_largeVersions_areFormattedAsIntegers() {
    long big = 1L << 50;
    sync(big, "0");

    assertThat(commit(big, "1", "w1")).containsExactly(1L, big + 1);
    assertThat(text(redis.get(keys[1]).block())).isEqualTo(Long.toString(big + 1));
  }

  @Test
  void commit_resentWithTouch_answersCommittedAndWritesMetaSoAWaitCoversIt() {
    sync(0, "s0");
    assertThat((Long) commit(0, "s1", "w-touch").get(0)).isEqualTo(1L);
    List<Object> resent = LuaScripts.run(redis, LuaScripts.COMMIT, LuaScripts.COMMIT_SHA, keys,
        bytes(0), bytes("s1"), bytes(1234), bytes(100), bytes("w-touch"), bytes("0"), bytes(""),
        bytes(EPOCH), bytes(10_000), bytes("1")).block();

    assertThat(resent).containsExactly(2L, 1L);
    assertThat(text(redis.hget(keys[3], "a").block())).isEqualTo("1");
    assertThat(version()).isEqualTo(1);
    // Without the touch flag a resend writes nothing.
    commit(0, "s1", "w-touch");
    assertThat(text(redis.hget(keys[3], "a").block())).isEqualTo("1");
  }
}
