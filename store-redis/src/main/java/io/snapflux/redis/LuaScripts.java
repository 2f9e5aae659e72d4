package io.snapflux.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The two Lua scripts of a Redis store, run with EVALSHA and, when Redis answers NOSCRIPT (first
 * use, or a restarted server whose script cache is empty), with EVAL, which also caches them.
 *
 * <p>Both take {@code KEYS = [state, version, stream]} of one store; the keys share the hash tag
 * {@code {<name>}}, so on Redis Cluster they live on one slot and a script may touch all three.
 * Stream entry ids are {@code <version>-0}: an entry's id is its version, so "the entries after
 * version v" is {@code XREAD ... <v>-0} and a trimmed history shows as a jump in the ids.
 *
 * <p>Numbers are formatted with {@code string.format('%d')}, never concatenated: Lua 5.1 would
 * print large doubles in exponent notation.
 */
final class LuaScripts {

  /** Returns the current snapshot as {0, version, state, timestampMillis, hasCause, cause}. */
  private static final String CURRENT = """
      local function current(v)
        local s = redis.call('GET', KEYS[1])
        local id = v .. '-0'
        local e = redis.call('XRANGE', KEYS[3], id, id)
        local ts, hc, c = '0', '0', ''
        if #e == 1 then
          local f = e[1][2]
          for i = 1, #f, 2 do
            if f[i] == 't' then ts = f[i + 1] elseif f[i] == 'c' then hc = '1'; c = f[i + 1] end
          end
        end
        return {0, tonumber(v), s, ts, hc, c}
      end
      """;

  /**
   * The version-checked CAS. ARGV: expectedVersion, state, timestampMillis, maxLen, writeId,
   * hasCause ('1'/'0'), cause. Replies {1, newVersion} (committed), {2, version} (this very write
   * was committed before: a resent command after a lost reply), the current snapshot (conflict),
   * or {-1} (the store's keys are missing: Redis lost its data).
   *
   * <p>XADD runs first: if it fails nothing has been written (Redis does not roll scripts back).
   */
  static final String COMMIT = CURRENT + """
      local cur = redis.call('GET', KEYS[2])
      if not cur then return {-1} end
      local expected = tonumber(ARGV[1])
      if tonumber(cur) ~= expected then
        local mine = string.format('%d', expected + 1) .. '-0'
        local e = redis.call('XRANGE', KEYS[3], mine, mine)
        if #e == 1 then
          local f = e[1][2]
          for i = 1, #f, 2 do
            if f[i] == 'w' and f[i + 1] == ARGV[5] then return {2, expected + 1} end
          end
        end
        return current(cur)
      end
      local nv = string.format('%d', expected + 1)
      local args = {'XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], nv .. '-0',
                    's', ARGV[2], 't', ARGV[3], 'w', ARGV[5]}
      if ARGV[6] == '1' then
        args[#args + 1] = 'c'
        args[#args + 1] = ARGV[7]
      end
      redis.call(unpack(args))
      redis.call('SET', KEYS[1], ARGV[2])
      redis.call('SET', KEYS[2], nv)
      return {1, expected + 1}
      """;

  /**
   * Reads the current snapshot, first seeding the store if Redis has no version for it or an
   * older one than the caller's (Redis lost data; the most advanced replica repairs it). ARGV:
   * seedVersion, state, timestampMillis, maxLen, hasCause, cause. Replies {1, seedVersion} if it
   * seeded, else the current snapshot. Seeding replaces the stream: its history belongs to the
   * lost data.
   */
  static final String SYNC = CURRENT + """
      local cur = redis.call('GET', KEYS[2])
      local seed = tonumber(ARGV[1])
      if cur and tonumber(cur) >= seed then return current(cur) end
      local v = string.format('%d', seed)
      redis.call('DEL', KEYS[3])
      if seed > 0 then
        local args = {'XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], v .. '-0', 's', ARGV[2], 't', ARGV[3]}
        if ARGV[5] == '1' then
          args[#args + 1] = 'c'
          args[#args + 1] = ARGV[6]
        end
        redis.call(unpack(args))
      end
      redis.call('SET', KEYS[1], ARGV[2])
      redis.call('SET', KEYS[2], v)
      return {1, seed}
      """;

  static final String COMMIT_SHA = sha1(COMMIT);
  static final String SYNC_SHA = sha1(SYNC);

  private LuaScripts() {}

  /**
   * Runs a script by digest, falling back to its text on NOSCRIPT.
   *
   * @return the flat reply array
   */
  static Mono<List<Object>> run(
      RedisReactiveCommands<String, byte[]> redis,
      String script, String sha, String[] keys, byte[]... args) {
    return redis.<Object>evalsha(sha, ScriptOutputType.MULTI, keys, args)
        .collectList()
        .onErrorResume(RedisNoScriptException.class,
            e -> redis.<Object>eval(script, ScriptOutputType.MULTI, keys, args).collectList())
        .map(LuaScripts::flatten);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> flatten(List<Object> reply) {
    // Depending on the driver version a MULTI reply arrives as one list element or dissolved.
    if (reply.size() == 1 && reply.get(0) instanceof List<?> inner) {
      return (List<Object>) inner;
    }
    return reply;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(long n) {
    return bytes(Long.toString(n));
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(bytes(script)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
    }
  }
}
