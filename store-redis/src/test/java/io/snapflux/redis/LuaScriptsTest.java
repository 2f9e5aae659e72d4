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
  private final String[] keys = {prefix + "state", prefix + "version", prefix + "stream"};

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
    return LuaScripts.run(redis, LuaScripts.COMMIT, LuaScripts.COMMIT_SHA, keys,
        bytes(expected), bytes(state), bytes(1234), bytes(100), bytes(writeId),
        bytes("1"), bytes("cause-" + writeId)).block();
  }

  private List<Object> sync(long version, String state) {
    return LuaScripts.run(redis, LuaScripts.SYNC, LuaScripts.SYNC_SHA, keys,
        bytes(version), bytes(state), bytes(99), bytes(100), bytes("0"), bytes("")).block();
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
    assertThat(sync(0, "\"a\"")).containsExactly(1L, 0L);

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
  void sync_redisBehindCaller_reseedsWithCallersSnapshotAndNewStream() {
    sync(0, "0");
    commit(0, "1", "w1");

    assertThat(sync(7, "7")).containsExactly(1L, 7L);

    assertThat(text(redis.get(keys[1]).block())).isEqualTo("7");
    var entries = redis.xrange(keys[2], Range.create("-", "+")).collectList().block();
    assertThat(entries).extracting(e -> e.getId()).containsExactly("7-0");
    assertThat(commit(7, "8", "w8")).containsExactly(1L, 8L);
  }

  @Test
  void commit_largeVersions_areFormattedAsIntegers() {
    long big = 1L << 50;
    sync(big, "0");

    assertThat(commit(big, "1", "w1")).containsExactly(1L, big + 1);
    assertThat(text(redis.get(keys[1]).block())).isEqualTo(Long.toString(big + 1));
  }
}
