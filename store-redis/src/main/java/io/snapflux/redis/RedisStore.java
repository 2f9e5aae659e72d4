package io.snapflux.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.snapflux.store.CommitRules;
import io.snapflux.store.Delivery;
import io.snapflux.store.Equivalence;
import io.snapflux.store.Outcome;
import io.snapflux.store.Replica;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.StoreClosedException;
import io.snapflux.store.StoreException;
import io.snapflux.store.StoreStats;
import io.vavr.Tuple2;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * A {@link Store} shared by every application instance connected to the same Redis: the state
 * and its version live in Redis, each instance keeps a local replica for wait-free reads and for
 * its subscribers.
 *
 * <h2>Keys</h2>
 *
 * <p>A store named {@code n} uses three keys, all with the hash tag {@code {n}} so that on Redis
 * Cluster they share one slot (and one Lua script may touch them all):
 *
 * <ul>
 *   <li>{@code snapflux:{n}:state}: the state, encoded by the store's codec (JSON by default);
 *   <li>{@code snapflux:{n}:version}: the version, a decimal integer;
 *   <li>{@code snapflux:{n}:stream}: a Redis Stream of changes, trimmed to about {@link
 *       RedisStoreBuilder#streamMaxLength(long)} entries. Entry id {@code <version>-0}; fields
 *       {@code s} (state), {@code t} (commit time, epoch millis), {@code c} (the cause's {@code
 *       toString()}, absent when there is none), {@code w} (the id of the write).
 * </ul>
 *
 * <h2>Threads and blocking</h2>
 *
 * <p>{@link #snapshot()}, {@link #get()} and {@link #changes(Delivery)} never touch the network.
 * The synchronous update methods ({@link #update(Object, UnaryOperator)}, {@link
 * #compareAndSet(long, Object)}, {@link #updateIfVersion(long, Object, UnaryOperator)}, ...)
 * wait for Redis and must not be called on a non-blocking Reactor thread (they throw {@link
 * IllegalStateException} there); WebFlux code uses {@link #updateAsync(Object, UnaryOperator)},
 * {@link #compareAndSetAsync(long, Object)} and {@link #updateIfVersionAsync(long, Object,
 * UnaryOperator)}. Subscribers are served on the {@linkplain RedisStoreBuilder#deliverOn
 * delivery scheduler}, bounded-elastic by default so that a subscriber may update the store.
 *
 * <h2>Causes</h2>
 *
 * <p>The instance that commits a change keeps its cause object; other instances receive the
 * cause's {@code toString()}.
 *
 * <pre>
 * Implementation notes.
 *
 * Write path. Read the local replica's snapshot, apply the pure function, run the commit rules
 * (validators, then interceptors' beforeCommit: once per attempt, so a rejected or vetoed state
 * never reaches Redis), encode, then run the COMMIT script (LuaScripts) with the version the
 * function saw. The script compares it with the version key and, if equal, XADDs the entry
 * {@code <version+1>-0} (trimmed, MAXLEN ~), sets state and version: the script's execution is the
 * linearization point, Redis runs it atomically.
 * If the version differs, the script answers with the current snapshot and the function is
 * applied again to it (the replica may simply lag behind the stream); retries after the second
 * wait a random 0..2^k ms (capped at 16) and restart from the newer of the reply and the
 * replica: waiting makes the reply stale, and a stale retry is a certain loss (found by
 * twoInstances_concurrentIncrements_*, where the backing-off instance starved). compareAndSet and updateIfVersion use the same script with
 * the caller's version and report the conflict instead of retrying. The whole write is bounded
 * by the write timeout; connection errors are retried every reconnect delay until then, and the
 * write fails with StoreUnavailableException. Each write carries an id; if a command is resent
 * after its reply was lost (Lettuce re-sends in-flight commands after a reconnect), the script
 * finds its own entry at expected+1 and answers "committed" instead of applying it twice.
 * After a "committed" reply (and only then) the writer installs its commit in the replica and
 * runs the interceptors' afterCommit with the attempt's base as the previous snapshot (the
 * script committed on top of exactly that version): once per version this instance commits,
 * never for versions committed elsewhere. A write whose reply never came (write timeout) runs
 * no afterCommit: it does not know whether it committed.
 *
 * Replica. A Replica (store-core) holds the versions this instance knows; advance() installs a
 * snapshot only if it is newer. A dedicated platform thread ("follower") loops on XREAD BLOCK
 * from {@code <replica version>-0} on a connection of its own and advances the replica entry by entry.
 * After its own commit, a writer advances the replica at once (read-your-writes); if versions
 * committed elsewhere lie between, it first fills them in from the stream (XRANGE), so lossless
 * subscribers see every version in order. Every advancer installs consecutive versions starting
 * at most one above the replica's version, so the replica only ever jumps when an entry is
 * missing from the stream (trimmed during an outage or a long pause): then it reads the state
 * (SYNC script) and jumps to it, a gap visible to lossless subscribers (a resync).
 *
 * Faults. A connection listener marks the store down as soon as one of its connections drops;
 * reads keep serving the replica. When the connection is back, the follower runs SYNC (which
 * re-seeds Redis from this replica if Redis lost the store's keys or is behind it, i.e. came
 * back without its data; the most advanced replica wins) and resumes XREAD from the replica's
 * version: gap-free if the stream still holds those entries, else a visible resync.
 *
 * Invariants (and the tests that check them):
 *  1. Versions grow by exactly one per commit across all instances; no increment is lost.
 *     (RedisStoreTest.twoInstances_concurrentIncrements_neverLostAndSeenInOrderEverywhere)
 *  2. A lossless subscriber of any instance sees every version in order, unless the stream lost
 *     the entries it needed, when it sees a visible jump.
 *     (RedisStoreTest.twoInstances_concurrentIncrements_neverLostAndSeenInOrderEverywhere,
 *      RedisStoreTest.redisRestartedWithItsData_replicaResyncsAndSubscribersContinue,
 *      RedisStoreTest.partitionedInstance_catchesUpGapFree_whileTheStreamHoldsTheVersions,
 *      RedisStoreTest.partitionedInstance_streamTrimmedMeanwhile_resyncsVisiblyAndContinues)
 *  3. A write returns only after its commit is in the local replica (read-your-writes).
 *     (RedisStoreContractTest, all of StoreContractTest)
 *  4. With Redis down, reads serve the last snapshot, health says so, writes fail within the
 *     write timeout and change nothing.
 *     (RedisStoreTest.redisDown_readsServeLastSnapshotAndWritesFailWithinTimeout)
 *  5. Redis back (with or without its data): the replica resyncs and subscribers continue.
 *     (RedisStoreTest.redisRestartedWithItsData_*, RedisStoreTest.redisRestartedEmpty_*)
 *  6. A resent commit is answered "committed", never applied twice; a stale one changes nothing.
 *     (LuaScriptsTest.commit_resentAfterSuccess_*, LuaScriptsTest.commit_staleVersion_*)
 *  7. No write path blocks a non-blocking thread (Reactor parallel, Netty event loops).
 *     (RedisStoreBlockHoundTest)
 *  8. Validators and beforeCommit run on every attempt before the CAS; a rejected state writes
 *     nothing; afterCommit runs once per own commit, after it, never for other instances'.
 *     (RedisStoreCommitRulesTest, RedisStoreContractTest.validator_*,
 *      SnapfluxRedisAutoConfigurationTest.customizer*)
 * </pre>
 *
 * @param <S> the type of the state
 */
public final class RedisStore<S> implements Store<S> {

  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final long ANY_VERSION = -1;
  private static final int BATCH = 512;

  private final String name;
  private final StateCodec<S> codec;
  private final CommitRules<S> rules;
  private final Equivalence<S> equivalence;
  private final Duration writeTimeout;
  private final Duration pollTimeout;
  private final Duration reconnectDelay;
  private final byte[] maxLength;
  private final Clock clock;

  private final String[] keys;
  private final String streamKey;

  private final RedisClient client;
  private final boolean ownsClient;
  private final StatefulRedisConnection<String, byte[]> commands;
  private final StatefulRedisConnection<String, byte[]> follower;
  private final RedisReactiveCommands<String, byte[]> redis;
  private final RedisConnectionStateListener listener;
  private final Replica<S> replica;
  private final Thread followerThread;

  private final String writerId;
  private final AtomicLong writeSequence = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Whether the follower is in sync with the stream (the connections' state is checked too). */
  private volatile boolean following;
  private volatile boolean resyncNeeded;
  private volatile @Nullable Instant downSince;
  private volatile @Nullable String lastError;

  private final LongAdder casRetries = new LongAdder();
  private final LongAdder versionConflicts = new LongAdder();
  private final LongAdder validationRejections = new LongAdder();

  /**
   * A builder of a Redis-backed store.
   *
   * @param name the store's name: its Redis keys are {@code snapflux:{name}:*}; every instance
   *     using this name shares the store
   * @param initial the state at version 0, used if Redis has no state for this store yet
   * @param <S> the type of the state
   * @return a new builder
   */
  public static <S> RedisStoreBuilder<S> builder(String name, S initial) {
    return new RedisStoreBuilder<>(name, initial);
  }

  RedisStore(RedisStoreBuilder<S> b) {
    this.name = b.name;
    this.codec = Objects.requireNonNull(b.codec);
    this.rules = b.rules.commitRules();
    this.equivalence = b.equivalence;
    this.writeTimeout = b.writeTimeout;
    this.pollTimeout = b.pollTimeout;
    this.reconnectDelay = b.reconnectDelay;
    this.maxLength = LuaScripts.bytes(b.streamMaxLength);
    this.clock = b.clock;
    String prefix = "snapflux:{" + name + "}:";
    this.keys = new String[] {prefix + "state", prefix + "version", prefix + "stream"};
    this.streamKey = keys[2];
    this.writerId = Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";
    rules.validate(name, b.initial);

    if (b.client != null) {
      this.client = b.client;
      this.ownsClient = false;
    } else {
      // Reconnect attempts back off to at most one second (Lettuce's default cap is 30 s), so
      // an instance notices a returning Redis quickly.
      this.client = RedisClient.create(DefaultClientResources.builder()
          .reconnectDelay(Delay.exponential(
              Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
          .build(), Objects.requireNonNull(b.uri));
      this.client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .build());
      this.ownsClient = true;
    }
    StatefulRedisConnection<String, byte[]> c = null;
    StatefulRedisConnection<String, byte[]> f = null;
    Snapshot<S> current;
    try {
      c = client.connect(CODEC);
      f = client.connect(CODEC);
      f.setTimeout(pollTimeout.plus(writeTimeout));
      this.commands = c;
      this.follower = f;
      this.redis = c.reactive();
      current = Objects.requireNonNull(
          sync(Snapshot.of(0, b.initial, null, clock.millis())).block(writeTimeout));
    } catch (RuntimeException e) {
      if (f != null) {
        f.closeAsync();
      }
      if (c != null) {
        c.closeAsync();
      }
      if (ownsClient) {
        shutdownOwnedClient();
      }
      if (e instanceof StoreException se) {
        throw se;
      }
      throw new StoreUnavailableException(name,
          "store '" + name + "' could not reach Redis to load its state: " + e, e);
    }
    this.replica = Replica.of(name, current, b.deliveryScheduler);
    this.following = true;
    this.listener = new ConnectionListener();
    client.addListener(listener);
    this.followerThread = new Thread(this::follow, "snapflux-redis-follower-" + name);
    followerThread.setDaemon(true);
    followerThread.start();
  }

  @Override
  public String name() {
    return name;
  }

  /** The newest snapshot this instance knows. Wait-free; never touches the network. */
  @Override
  public Snapshot<S> snapshot() {
    return replica.snapshot();
  }

  // ---------------------------------------------------------------------------------------------
  // Writes: synchronous facade

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads (use {@link
   * #updateAsync(Object, UnaryOperator)}).
   *
   * @throws StoreUnavailableException if Redis did not confirm within the write timeout
   * @throws IllegalStateException if called on a non-blocking Reactor thread
   */
  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    return join(updateAsync(cause, fn));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads.
   */
  @Override
  public S getAndUpdate(UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    Object[] previous = new Object[1];
    join(write(null, ANY_VERSION, s -> {
      previous[0] = s;
      return fn.apply(s);
    }));
    @SuppressWarnings("unchecked")
    S result = (S) previous[0];
    return result;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads.
   */
  @Override
  public <R> R modify(Function<? super S, ? extends Tuple2<? extends S, ? extends R>> fn) {
    Objects.requireNonNull(fn, "fn");
    Object[] result = new Object[1];
    join(write(null, ANY_VERSION, s -> {
      Tuple2<? extends S, ? extends R> t = Objects.requireNonNull(fn.apply(s),
          () -> "modify function returned null instead of (state, result) (store '" + name + "')");
      result[0] = t._2;
      return t._1;
    }));
    @SuppressWarnings("unchecked")
    R r = (R) result[0];
    return r;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads (use {@link
   * #compareAndSetAsync(long, Object)}).
   */
  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    return join(compareAndSetAsync(expectedVersion, newState));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads (use {@link
   * #updateIfVersionAsync(long, Object, UnaryOperator)}).
   */
  @Override
  public Outcome<S> updateIfVersion(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    return join(updateIfVersionAsync(expectedVersion, cause, fn));
  }

  // ---------------------------------------------------------------------------------------------
  // Writes: reactive

  /**
   * The non-blocking {@link #update(Object, UnaryOperator)}: completes with the committed
   * snapshot (already in this instance's replica), or the current one if {@code fn} changed
   * nothing. Lazy: nothing happens until subscription.
   *
   * <p>The function may be applied more than once and must be side-effect-free; after the first
   * attempt it runs on a Redis I/O thread, so it must also be quick.
   *
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function
   * @return the committed snapshot; fails with {@link StoreUnavailableException}, {@link
   *     StateValidationException}, {@link StoreClosedException} or what {@code fn} threw
   */
  public Mono<Snapshot<S>> updateAsync(@Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    return write(cause, ANY_VERSION, fn).map(Result::snapshot);
  }

  /**
   * Shorthand for {@link #updateAsync(Object, UnaryOperator) updateAsync(null, fn)}.
   *
   * @param fn the pure update function
   * @return the committed snapshot
   */
  public Mono<Snapshot<S>> updateAsync(UnaryOperator<S> fn) {
    return updateAsync(null, fn);
  }

  /**
   * The non-blocking {@link #compareAndSet(long, Object)}.
   *
   * @param expectedVersion the version the caller read
   * @param newState the state to commit
   * @return whether the store was at {@code expectedVersion}
   */
  public Mono<Boolean> compareAndSetAsync(long expectedVersion, S newState) {
    Objects.requireNonNull(newState, () -> "compareAndSet: a Snapflux state is never null "
        + "(store '" + name + "')");
    requireVersion(expectedVersion);
    return write(null, expectedVersion, s -> newState).map(r -> !r.conflict());
  }

  /**
   * The non-blocking {@link #updateIfVersion(long, Object, UnaryOperator)}.
   *
   * @param expectedVersion the version the caller read
   * @param cause a label or action describing the change, or {@code null}
   * @param fn the pure update function, run at most once, on the expected version
   * @return the outcome
   */
  public Mono<Outcome<S>> updateIfVersionAsync(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    requireVersion(expectedVersion);
    return write(cause, expectedVersion, fn).map(r -> r.conflict()
        ? new Outcome.Conflict<>(expectedVersion, r.snapshot())
        : new Outcome.Applied<>(r.snapshot()));
  }

  private static void requireVersion(long expectedVersion) {
    if (expectedVersion < 0) {
      throw new IllegalArgumentException(
          "expectedVersion must be >= 0 (versions start at 0), was " + expectedVersion);
    }
  }

  private record Result<S>(Snapshot<S> snapshot, boolean conflict) {}

  /** One logical write: its id stays the same across attempts and resent commands. */
  private record Write<S>(
      @Nullable Object cause, long expected, UnaryOperator<S> fn, byte[] id, Throwable[] error) {}

  private Mono<Result<S>> write(@Nullable Object cause, long expected, UnaryOperator<S> fn) {
    return Mono.defer(() -> {
      requireOpen();
      Write<S> w = new Write<>(cause, expected, fn,
          LuaScripts.bytes(writerId + writeSequence.incrementAndGet()), new Throwable[1]);
      Snapshot<S> base = replica.snapshot();
      Mono<Result<S>> result = expected != ANY_VERSION && base.version() < expected
          // The caller read a version this replica has not seen yet: fetch the state.
          ? withRetry(w, () -> sync(replica.snapshot())).flatMap(s -> attempt(w, s, 0))
          : attempt(w, base, 0);
      return result
          .timeout(writeTimeout, Mono.error(() -> unavailable(w)))
          .onErrorMap(e -> closed.get() && isConnectionError(e), e -> new StoreClosedException(name));
    });
  }

  private StoreUnavailableException unavailable(Write<S> w) {
    Throwable last = w.error()[0];
    return new StoreUnavailableException(name, "store '" + name + "': Redis did not confirm the "
        + "write within " + writeTimeout + (isConnected() ? "" : " (Redis is unreachable)")
        + "; reads serve version " + replica.snapshot().version()
        + (last == null ? "" : "; last error: " + last), last);
  }

  private Mono<Result<S>> attempt(Write<S> w, Snapshot<S> base, int retry) {
    return Mono.defer(() -> {
      requireOpen();
      if (w.expected() != ANY_VERSION && base.version() != w.expected()) {
        versionConflicts.increment();
        return Mono.just(new Result<>(base, true));
      }
      S state = base.state();
      S next = w.fn().apply(state);
      if (next == null) {
        throw new NullPointerException("the update function returned null: a Snapflux state is "
            + "never null (store '" + name + "')");
      }
      if (equivalence.equivalent(state, next)) {
        return Mono.just(new Result<>(base, false));
      }
      Object cause = w.cause();
      check(base, next, cause);
      byte[] bytes = encode(next);
      long timestamp = clock.millis();
      return withRetry(w, () -> LuaScripts.run(redis, LuaScripts.COMMIT, LuaScripts.COMMIT_SHA,
              keys, LuaScripts.bytes(base.version()), bytes, LuaScripts.bytes(timestamp),
              maxLength, w.id(), LuaScripts.bytes(cause == null ? "0" : "1"),
              LuaScripts.bytes(cause == null ? "" : cause.toString())))
          .flatMap(reply -> {
            long kind = (Long) reply.get(0);
            if (kind == 1 || kind == 2) {
              // base is the version just before: the script committed on top of it.
              Snapshot<S> committed = Snapshot.of((Long) reply.get(1), next, cause, timestamp);
              return publishOwn(committed)
                  .then(Mono.fromRunnable(() -> rules.committed(name, base, committed)))
                  .thenReturn(new Result<>(committed, false));
            }
            if (kind == -1) {
              // Redis lost the store's keys: re-seed them from this replica, then try again.
              return withRetry(w, () -> sync(replica.snapshot()))
                  .flatMap(s -> attempt(w, s, retry + 1));
            }
            Snapshot<S> current = snapshotOf(reply);
            if (w.expected() != ANY_VERSION) {
              versionConflicts.increment();
              return Mono.just(new Result<>(current, true));
            }
            casRetries.increment();
            if (retry < 3) {
              // The reply is a fresh read: retrying at once is the likeliest to win.
              return attempt(w, current, retry + 1);
            }
            // Back off a random 0..2^k ms; the reply is stale by then, so start from the newer
            // of it and the replica (which the follower keeps current meanwhile).
            return Mono.delay(Duration.ofMillis(
                    ThreadLocalRandom.current().nextInt(1 << Math.min(retry - 2, 4))))
                .then(Mono.defer(() -> {
                  Snapshot<S> known = replica.snapshot();
                  return attempt(w, known.version() > current.version() ? known : current,
                      retry + 1);
                }));
          });
    });
  }

  /** Retries {@code call} on connection errors every reconnect delay (the write timeout bounds). */
  private <T> Mono<T> withRetry(Write<S> w, java.util.function.Supplier<Mono<T>> call) {
    return Mono.defer(call)
        .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, reconnectDelay)
            .filter(e -> !closed.get() && isConnectionError(e))
            .doBeforeRetry(signal -> w.error()[0] = signal.failure()));
  }

  /**
   * Installs this instance's own commit in the replica, after the versions committed elsewhere
   * before it (so lossless subscribers miss none), read from the stream if the follower has not
   * delivered them yet.
   */
  private Mono<Void> publishOwn(Snapshot<S> committed) {
    return Mono.defer(() -> {
      long known = replica.snapshot().version();
      if (committed.version() <= known + 1) {
        advanceQuietly(committed);
        return Mono.empty();
      }
      return redis.xrange(streamKey,
              Range.create((known + 1) + "-0", (committed.version() - 1) + "-0"))
          .doOnNext(this::advanceIfNext)
          .then()
          // The commit stands whatever happens here; at worst the replica jumps (a visible gap).
          .onErrorResume(e -> Mono.empty())
          .then(Mono.fromRunnable(() -> advanceQuietly(committed)));
    });
  }

  private void advanceIfNext(StreamMessage<String, byte[]> entry) {
    long v = versionOf(entry);
    if (v == replica.snapshot().version() + 1) {
      advanceQuietly(snapshotOf(v, entry.getBody()));
    }
  }

  private void advanceQuietly(Snapshot<S> s) {
    try {
      replica.advance(s);
    } catch (StoreClosedException e) {
      // Closed meanwhile: the commit stands in Redis, this instance no longer follows it.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading Redis

  /**
   * Runs the SYNC script: seeds Redis with {@code local} if Redis has nothing for this store or
   * an older version, and returns the snapshot Redis then holds.
   */
  private Mono<Snapshot<S>> sync(Snapshot<S> local) {
    return Mono.defer(() -> {
      Object cause = local.cause();
      return LuaScripts.run(redis, LuaScripts.SYNC, LuaScripts.SYNC_SHA, keys,
              LuaScripts.bytes(local.version()), encode(local.state()),
              LuaScripts.bytes(local.timestampMillis()), maxLength,
              LuaScripts.bytes(cause == null ? "0" : "1"),
              LuaScripts.bytes(cause == null ? "" : cause.toString()))
          .map(reply -> (Long) reply.get(0) == 1 ? local : snapshotOf(reply));
    });
  }

  /** Decodes {0, version, state, timestamp, hasCause, cause}. */
  private Snapshot<S> snapshotOf(List<Object> reply) {
    long version = (Long) reply.get(1);
    S state = decode((byte[]) reply.get(2));
    long timestamp = Long.parseLong(text((byte[]) reply.get(3)));
    String cause = "1".equals(text((byte[]) reply.get(4))) ? text((byte[]) reply.get(5)) : null;
    return Snapshot.of(version, state, cause, timestamp == 0 ? clock.millis() : timestamp);
  }

  private Snapshot<S> snapshotOf(long version, Map<String, byte[]> body) {
    byte[] t = body.get("t");
    byte[] c = body.get("c");
    return Snapshot.of(version, decode(Objects.requireNonNull(body.get("s"), "entry without s")),
        c == null ? null : text(c), t == null ? clock.millis() : Long.parseLong(text(t)));
  }

  private static long versionOf(StreamMessage<String, byte[]> entry) {
    String id = entry.getId();
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private byte[] encode(S state) {
    try {
      return codec.encode(state);
    } catch (IOException e) {
      throw new StoreException("store '" + name + "' cannot encode its state with " + codec, e);
    }
  }

  private S decode(byte[] bytes) {
    try {
      return codec.decode(bytes);
    } catch (IOException e) {
      throw new StoreException("store '" + name + "' cannot decode the state in Redis with "
          + codec + " (an incompatible codec or state type on another instance?)", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The follower thread

  private void follow() {
    while (!closed.get()) {
      try {
        if (resyncNeeded) {
          resyncNeeded = false;
          // Re-seeds Redis if it came back without the store; the XREAD below then catches up
          // from the replica's version, gap-free while the stream holds the entries.
          Objects.requireNonNull(sync(replica.snapshot()).block(writeTimeout));
        }
        long cursor = replica.snapshot().version();
        List<StreamMessage<String, byte[]>> batch = follower.sync().xread(
            XReadArgs.Builder.block(pollTimeout).count(BATCH),
            XReadArgs.StreamOffset.from(streamKey, cursor + "-0"));
        up();
        for (StreamMessage<String, byte[]> entry : batch) {
          long v = versionOf(entry);
          long known = replica.snapshot().version();
          if (v == known + 1) {
            replica.advance(snapshotOf(v, entry.getBody()));
          } else if (v > known + 1) {
            // The entries in between were trimmed: jump to the state, a visible resync.
            Snapshot<S> current = Objects.requireNonNull(
                sync(replica.snapshot()).block(writeTimeout));
            replica.advance(current);
            break;
          }
        }
      } catch (StoreClosedException e) {
        return;
      } catch (RuntimeException e) {
        if (closed.get()) {
          return;
        }
        down(e);
        resyncNeeded = true;
        LockSupport.parkNanos(reconnectDelay.toNanos());
      }
    }
  }

  private void up() {
    if (!following) {
      following = true;
      downSince = null;
    }
  }

  private void down(Object why) {
    following = false;
    if (downSince == null) {
      downSince = clock.instant();
    }
    lastError = why.toString();
  }

  private final class ConnectionListener implements RedisConnectionStateListener {

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (connection == commands || connection == follower) {
        down("connection to Redis lost");
        resyncNeeded = true;
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (connection == commands || connection == follower) {
        resyncNeeded = true;
      }
    }
  }

  private static boolean isConnectionError(Throwable e) {
    return e instanceof RedisException
        && (!(e instanceof RedisCommandExecutionException)
            || e instanceof RedisLoadingException || e instanceof RedisBusyException);
  }

  // ---------------------------------------------------------------------------------------------
  // Health, subscribers, lifecycle

  /**
   * Whether this instance is connected to Redis and following its stream. While it is not,
   * reads serve the last known snapshot and writes fail after the write timeout.
   */
  public boolean isConnected() {
    return following && commands.isOpen() && follower.isOpen() && !closed.get();
  }

  /** The connection status, the replica's version and the last Redis error. */
  public RedisStoreHealth health() {
    boolean connected = isConnected();
    return new RedisStoreHealth(connected, replica.snapshot().version(),
        connected ? null : downSince == null ? clock.instant() : downSince, lastError);
  }

  @Override
  public Flux<Snapshot<S>> changes(Delivery delivery) {
    return replica.changes(Objects.requireNonNull(delivery, "delivery"));
  }

  @Override
  public StoreStats stats() {
    StoreStats r = replica.stats();
    return new StoreStats(r.version(), casRetries.sum(), versionConflicts.sum(),
        validationRejections.sum(), r.subscribers(), r.maxLosslessLag(), r.lagOverflows());
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes this instance: subscribers receive the final snapshot and complete, later writes fail
   * with {@link StoreClosedException}, the store's connections close (and its client, if it made
   * one). The state in Redis stays for the other instances. Does not block.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    replica.close();
    client.removeListener(listener);
    LockSupport.unpark(followerThread);
    follower.closeAsync();
    commands.closeAsync();
    if (ownsClient) {
      shutdownOwnedClient();
    }
  }

  private void shutdownOwnedClient() {
    ClientResources resources = client.getResources();
    client.shutdownAsync(0, 2, TimeUnit.SECONDS)
        .whenComplete((ok, e) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new StoreClosedException(name);
    }
  }

  /** Validators, then the interceptors' before-commit hooks: may throw, commits nothing. */
  private void check(Snapshot<S> current, S next, @Nullable Object cause) {
    try {
      rules.check(name, current, next, cause);
    } catch (StateValidationException e) {
      validationRejections.increment();
      throw e;
    }
  }

  private <T> T join(Mono<T> mono) {
    if (Schedulers.isInNonBlockingThread()) {
      throw new IllegalStateException("RedisStore '" + name + "': this method waits for Redis "
          + "and must not run on the non-blocking thread " + Thread.currentThread().getName()
          + "; use updateAsync, compareAndSetAsync or updateIfVersionAsync");
    }
    try {
      return mono.toFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new StoreException("store '" + name + "': write failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("store '" + name + "': interrupted while waiting for Redis", e);
    }
  }

  @Override
  public String toString() {
    return "RedisStore{name=" + name + ", version=" + replica.snapshot().version()
        + (isConnected() ? "" : ", disconnected") + (closed.get() ? ", closed" : "") + "}";
  }
}
