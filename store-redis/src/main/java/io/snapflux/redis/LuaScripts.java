package io.snapflux.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The Lua scripts of a Redis store, run with EVALSHA and, when Redis answers NOSCRIPT (first use,
 * or a restarted server whose script cache is empty), with EVAL, which also caches them.
 *
 * <p>All take {@code KEYS = [state, version, stream, meta, writes]} of one store; the keys share
 * the hash tag {@code {<name>}}, so on Redis Cluster they live on one slot and a script may touch
 * them all. {@code meta} is a hash: {@code e} the history epoch (a random id made when the store
 * is seeded), {@code f} the lowest version whose write id {@code writes} surely still holds.
 * {@code writes} is a sorted set of the write ids of recent commits, scored by the version they
 * committed; a write declared "not committed" by a status check (a fence) is scored {@code
 * <version at the check> + 0.5}, so a late copy of it is refused. Both kinds are trimmed by
 * score, keeping the ids of the last {@code retention} versions.
 *
 * <p>Stream entry ids are {@code <version>-0}: an entry's id is its version, so "the entries
 * after version v" is {@code XREAD ... <v>-0} and a trimmed history shows as a jump in the ids.
 *
 * <p>Numbers are formatted with {@code string.format('%d')}, never concatenated: Lua 5.1 would
 * print large doubles in exponent notation.
 */
final class LuaScripts {

  /**
   * Returns the current snapshot as {0, version, state, timestampMillis, hasCause, cause, epoch}.
   */
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
        return {0, tonumber(v), s, ts, hc, c, redis.call('HGET', KEYS[4], 'e') or ''}
      end
      """;

  /**
   * The version-checked CAS. ARGV: expectedVersion, state, timestampMillis, maxLen, writeId,
   * hasCause ('1'/'0'), cause, epoch, retention, touch, patch. With touch = '1' (replica
   * acknowledgements on: see ReplicaAcks), a resent write found committed increments {@code
   * meta}'s field {@code a}, so the connection has written after the commit and a WAIT on it
   * covers the commit. Patch (ARGV[11], optional): when given and not empty, the stream entry
   * carries it as {@code d} (a JSON Patch from the expected version) instead of the state as
   * {@code s}; the state key always holds the full state. Replies:
   *
   * <ul>
   *   <li>{1, newVersion}: committed;
   *   <li>{2, version}: this very write was committed before, at version (a resent command);
   *   <li>the current snapshot (kind 0): conflict;
   *   <li>the current snapshot with kind -2: Redis holds another history than the writer's
   *       epoch (Redis came back empty and was re-seeded, or a history was switched);
   *   <li>the current snapshot with kind -3: Redis is below the writer's expected version (it
   *       came back older: an RDB restore, a lagging replica promoted);
   *   <li>{-4}: a status check declared this write not committed: it must never apply;
   *   <li>{-1}: the store's keys are missing (Redis lost its data).
   * </ul>
   *
   * <p>XADD runs first: if it fails nothing has been written (Redis does not roll scripts back).
   */
  static final String COMMIT = CURRENT + """
      local cur = redis.call('GET', KEYS[2])
      if not cur then return {-1} end
      local done = redis.call('ZSCORE', KEYS[5], ARGV[5])
      if done then
        local d = tonumber(done)
        if d == math.floor(d) then
          if ARGV[10] == '1' then redis.call('HINCRBY', KEYS[4], 'a', 1) end
          return {2, d}
        end
        return {-4}
      end
      if (redis.call('HGET', KEYS[4], 'e') or '') ~= ARGV[8] then
        local r = current(cur); r[1] = -2; return r
      end
      local expected = tonumber(ARGV[1])
      if tonumber(cur) < expected then
        local r = current(cur); r[1] = -3; return r
      end
      if tonumber(cur) ~= expected then return current(cur) end
      local nv = string.format('%d', expected + 1)
      local field, payload = 's', ARGV[2]
      if ARGV[11] and ARGV[11] ~= '' then field, payload = 'd', ARGV[11] end
      local args = {'XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], nv .. '-0',
                    field, payload, 't', ARGV[3], 'w', ARGV[5], 'e', ARGV[8]}
      if ARGV[6] == '1' then
        args[#args + 1] = 'c'
        args[#args + 1] = ARGV[7]
      end
      redis.call(unpack(args))
      redis.call('SET', KEYS[1], ARGV[2])
      redis.call('SET', KEYS[2], nv)
      redis.call('ZADD', KEYS[5], nv, ARGV[5])
      local floor = expected + 2 - tonumber(ARGV[9])
      if floor > 1 then
        redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. string.format('%d', floor))
        redis.call('HSET', KEYS[4], 'f', string.format('%d', floor))
      end
      return {1, expected + 1}
      """;

  /**
   * Reads the current snapshot, first seeding the store if Redis has no version for it. ARGV:
   * seedVersion, state, timestampMillis, maxLen, hasCause, cause, newEpoch. Replies {1,
   * seedVersion, newEpoch} if it seeded (a new history: stream, write ids and epoch replaced),
   * else the current snapshot. It never writes over a store Redis has, even an older one (see
   * ADVANCE); a store written by a Snapflux without epochs gets {@code newEpoch}.
   */
  static final String SYNC = CURRENT + """
      local cur = redis.call('GET', KEYS[2])
      if cur then
        if not redis.call('HGET', KEYS[4], 'e') then redis.call('HSET', KEYS[4], 'e', ARGV[7]) end
        return current(cur)
      end
      local seed = tonumber(ARGV[1])
      local v = string.format('%d', seed)
      redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
      if seed > 0 then
        local args = {'XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], v .. '-0', 's', ARGV[2],
                      't', ARGV[3], 'e', ARGV[7]}
        if ARGV[5] == '1' then
          args[#args + 1] = 'c'
          args[#args + 1] = ARGV[6]
        end
        redis.call(unpack(args))
      end
      redis.call('SET', KEYS[1], ARGV[2])
      redis.call('SET', KEYS[2], v)
      redis.call('HSET', KEYS[4], 'e', ARGV[7], 'f', string.format('%d', seed + 1))
      return {1, seed, ARGV[7]}
      """;

  /**
   * Moves Redis's history past a replica that holds versions Redis does not (Redis came back
   * older, or empty and re-seeded by another instance): if Redis still holds epoch observedEpoch
   * at observedVersion (a CAS: never over a newer state), it appends an entry at localVersion +
   * 2 under newEpoch, so that no version this replica (or any follower of Redis) has seen ever
   * names a second state, and both see a visible jump. The entry carries the replica's state if
   * given (Redis came back older within the replica's own history: the replica holds the lost
   * writes), else Redis's. With the replica's state come the ids of the writes it holds beyond
   * Redis (count, then version and id pairs), recorded at their versions: a writer whose reply
   * was lost with the old Redis then learns that its write committed (its resend, or a status
   * check, finds the id) instead of applying it a second time on top of the carried state. If
   * one of those ids was fenced meanwhile (a status check declared it not committed), the
   * replica's state is not carried: Redis's stays, and the fence holds. ARGV: observedEpoch,
   * observedVersion, localVersion, timestampMillis, maxLen, newEpoch, cause, hasState ('1'/'0'),
   * state, n, then n pairs (version, write id). Replies the current snapshot after it (moved or
   * not), or {-1} if the store's keys are missing.
   */
  static final String ADVANCE = CURRENT + """
      local cur = redis.call('GET', KEYS[2])
      if not cur then return {-1} end
      if (redis.call('HGET', KEYS[4], 'e') or '') ~= ARGV[1] or cur ~= ARGV[2] then
        return current(cur)
      end
      local nv = string.format('%d', tonumber(ARGV[3]) + 2)
      local s = redis.call('GET', KEYS[1])
      local carry = ARGV[8] == '1'
      local n = tonumber(ARGV[10] or '0')
      if carry then
        for i = 0, n - 1 do
          local sc = redis.call('ZSCORE', KEYS[5], ARGV[12 + 2 * i])
          if sc and tonumber(sc) ~= math.floor(tonumber(sc)) then carry = false end
        end
      end
      if carry then s = ARGV[9] end
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], nv .. '-0',
                 's', s, 't', ARGV[4], 'e', ARGV[6], 'c', ARGV[7])
      redis.call('SET', KEYS[1], s)
      redis.call('SET', KEYS[2], nv)
      redis.call('HSET', KEYS[4], 'e', ARGV[6])
      if carry then
        for i = 0, n - 1 do
          redis.call('ZADD', KEYS[5], 'NX', tonumber(ARGV[11 + 2 * i]), ARGV[12 + 2 * i])
        end
      end
      return current(nv)
      """;

  /**
   * Settles whether a write committed: ARGV writeId, the version its first attempt read. Replies
   * {1, version} (committed), {0} (not committed, and from now on it never will: the id is
   * fenced), {-1} (cannot tell: its id may have been trimmed, or the store's keys are missing).
   */
  static final String FENCE = """
      local done = redis.call('ZSCORE', KEYS[5], ARGV[1])
      if done then
        local d = tonumber(done)
        if d == math.floor(d) then return {1, d} end
        return {0}
      end
      local cur = redis.call('GET', KEYS[2])
      if not cur then return {-1} end
      local f = tonumber(redis.call('HGET', KEYS[4], 'f') or '0')
      if tonumber(ARGV[2]) + 1 < f then return {-1} end
      redis.call('ZADD', KEYS[5], tonumber(cur) + 0.5, ARGV[1])
      return {0}
      """;

  static final String COMMIT_SHA = sha1(COMMIT);
  static final String SYNC_SHA = sha1(SYNC);
  static final String ADVANCE_SHA = sha1(ADVANCE);
  static final String FENCE_SHA = sha1(FENCE);

  private LuaScripts() {}

  /**
   * Runs a script by digest, falling back to its text on NOSCRIPT.
   *
   * @return the flat reply array
   */
  static Mono<List<Object>> run(
      RedisClusterReactiveCommands<String, byte[]> redis,
      String script, String sha, String[] keys, byte[]... args) {
    return redis.<Object>evalsha(sha, ScriptOutputType.MULTI, keys, args)
        .collectList()
        .onErrorResume(RedisNoScriptException.class,
            e -> redis.<Object>eval(script, ScriptOutputType.MULTI, keys, args).collectList())
        .map(LuaScripts::flatten);
  }

  @SuppressWarnings("unchecked")
  static List<Object> flatten(List<Object> reply) {
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
