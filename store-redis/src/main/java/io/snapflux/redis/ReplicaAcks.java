package io.snapflux.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import reactor.core.publisher.Mono;

/**
 * Runs a COMMIT and then {@code WAIT <replicas> <timeout>} on the same connection, so the WAIT
 * covers the commit.
 *
 * <p>WAIT counts the replicas that have this client's last write, so it must run on the
 * connection that wrote, after the write. The four commands {@code CLIENT ID}, {@code EVALSHA
 * COMMIT}, {@code WAIT}, {@code CLIENT ID} are pipelined on one connection (to the master of the
 * store's slot, on a cluster); equal client ids prove they ran on one connection: a reconnection
 * in between (Lettuce replays unanswered commands on the new connection, where WAIT would count
 * nothing of ours) or a NOSCRIPT (the script is loaded and the pipeline sent again) makes the
 * attempt a {@link Replay}, a transport error that resends the whole pipeline under the same
 * write id. A resent COMMIT that finds its write already committed ({2, version}) touches the
 * meta hash (ARGV[10] = '1'), so that this connection has written after the original commit and
 * WAIT covers it too. A CLIENT ID or WAIT that fails (rejected: the connection dropped after the
 * COMMIT left) is a Replay too, never a rejection of the write: only the COMMIT's own rejection
 * means it was not sent.
 */
final class ReplicaAcks {

  private final RedisConnector connector;
  private final int replicas;
  private final long timeoutMillis;

  ReplicaAcks(RedisConnector connector, int replicas, Duration timeout) {
    this.connector = connector;
    this.replicas = replicas;
    this.timeoutMillis = Math.max(1, timeout.toMillis());
  }

  int replicas() {
    return replicas;
  }

  Duration timeout() {
    return Duration.ofMillis(timeoutMillis);
  }

  /**
   * Runs COMMIT and WAIT; {@code acks} receives WAIT's count (the replicas that have the commit)
   * before the reply is emitted.
   */
  Mono<List<Object>> commit(StatefulConnection<String, byte[]> commands, String[] keys,
      byte[][] args, LongConsumer acks) {
    return connector.connectionFor(commands, keys[0]).flatMap(node -> {
      RedisReactiveCommands<String, byte[]> r = node.reactive();
      Mono<Long> before = r.clientId();
      Mono<Object> commit = r.<Object>evalsha(LuaScripts.COMMIT_SHA, ScriptOutputType.MULTI, keys,
              args)
          .collectList()
          .<Object>map(LuaScripts::flatten)
          .onErrorResume(RedisNoScriptException.class, e -> r.scriptLoad(LuaScripts.COMMIT)
              .thenReturn(NOSCRIPT));
      // Only the COMMIT's own rejection means "not sent" (a rejected first CLIENT ID means the
      // connection was down, and the COMMIT behind it is rejected as well). Once the COMMIT has
      // left, a WAIT or CLIENT ID rejected because the connection dropped meanwhile (zip emits
      // the first error, which may be theirs) must leave the write in doubt, not unsent.
      Mono<Long> waited = r.waitForReplication(replicas, timeoutMillis)
          .onErrorMap(e -> new Replay("WAIT after the COMMIT", e));
      Mono<Long> after = r.clientId().onErrorMap(e -> new Replay("CLIENT ID after the COMMIT", e));
      // zip subscribes to each in order: the four commands leave in this order on one connection.
      return Mono.zip(before, commit, waited, after).flatMap(t -> {
        if (t.getT2() == NOSCRIPT) {
          return Mono.error(new Replay("the COMMIT script was not loaded on the master; "
              + "loaded it, sending again"));
        }
        if (!t.getT1().equals(t.getT4())) {
          return Mono.error(new Replay("the connection changed between COMMIT and WAIT"));
        }
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) t.getT2();
        acks.accept(t.getT3());
        return Mono.just(reply);
      });
    }).doOnError(e -> {
      if (!(e instanceof Replay) || e.getCause() != null) {
        // A MOVED, a dead master, a demoted one: let the cluster client look again at once.
        connector.refreshTopology();
      }
    });
  }

  private static final Object NOSCRIPT = new Object();

  /** The pipeline must be sent again (a transport error: it is retried under the same id). */
  static final class Replay extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Replay(String message) {
      super(message, null, false, false);
    }

    /**
     * A command of the pipeline other than the COMMIT failed: resent as a whole, the COMMIT in
     * doubt. The message names the failure's class, not its text, which may say "rejected".
     */
    Replay(String command, Throwable failure) {
      super(command + " failed (" + failure.getClass().getSimpleName() + "); sending again",
          failure, false, false);
    }
  }
}
