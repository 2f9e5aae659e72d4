package io.snapflux.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.resource.ClientResources;
import io.snapflux.store.AsyncHistory;
import io.snapflux.store.AsyncWrites;
import io.snapflux.store.CommitPipeline;
import io.snapflux.store.StoreOptions;
import io.snapflux.store.Delivery;
import io.snapflux.store.Equivalence;
import io.snapflux.store.History;
import io.snapflux.store.HistoryCause;
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
import io.vavr.collection.Vector;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.retry.Retry;

/**
 * A {@link Store} shared by every application instance connected to the same Redis: the state
 * and its version live in Redis, each instance keeps a local replica for wait-free reads and for
 * its subscribers.
 *
 * <h2>Keys</h2>
 *
 * <p>A store named {@code n} uses five keys, all with the hash tag {@code {n}} so that on Redis
 * Cluster they share one slot (and one Lua script may touch them all):
 *
 * <ul>
 *   <li>{@code snapflux:{n}:state}: the state, encoded by the store's codec (JSON by default);
 *   <li>{@code snapflux:{n}:version}: the version, a decimal integer;
 *   <li>{@code snapflux:{n}:stream}: a Redis Stream of changes, trimmed to about {@link
 *       RedisStoreBuilder#streamMaxLength(long)} entries. Entry id {@code <version>-0}; fields
 *       {@code s} (state) or {@code d} (a JSON Patch from the previous version, for large
 *       states: {@link RedisStoreBuilder#streamDeltas(long, int)}), {@code t} (commit time, epoch millis), {@code c} (the cause as JSON,
 *       absent when there is none; see "Causes" below), {@code w} (the id of the write), {@code e} (the
 *       history epoch);
 *   <li>{@code snapflux:{n}:meta}: a hash, {@code e} the history epoch, {@code f} the oldest
 *       version whose write id is still kept;
 *   <li>{@code snapflux:{n}:writes}: the write ids of the last {@link
 *       RedisStoreBuilder#writeIdRetention(long)} versions, by version (idempotent resends).
 * </ul>
 *
 * <h2>Threads and blocking</h2>
 *
 * <p>{@link #snapshot()} and {@link #changes(Delivery)} never touch the network.
 * The synchronous update methods ({@link #update(Object, UnaryOperator)}, {@link
 * #compareAndSet(long, Object)}, {@link #updateIfVersion(long, Object, UnaryOperator)}, ...)
 * wait for Redis and must not be called on a non-blocking Reactor thread (they throw {@link
 * IllegalStateException} there); WebFlux code uses {@link #async()}, whose writes complete on
 * the reply of their own round trip. Subscribers are served on the {@linkplain RedisStoreBuilder#deliverOn
 * delivery scheduler}, bounded-elastic by default so that a subscriber may update the store.
 *
 * <p>An instance's writes to one store take turns ({@link RedisStoreBuilder#queueWrites(boolean)},
 * on by default): one is between its function and its installed commit at a time, in the order
 * they were made, each starting from the version its predecessor committed, so they do not
 * conflict with each other. A write that waits for its turn longer than the write timeout fails
 * with {@link StoreUnavailableException}, unsent. A write whose turn comes while another is in
 * flight runs its function on the thread that ended the previous turn (a Redis I/O thread).
 *
 * <h2>What a failed write means</h2>
 *
 * <p>A write either returns (it committed, exactly once, and {@code afterCommit} ran once), or
 * fails with {@link StoreUnavailableException} (it did not commit and never will), or with its
 * subclass {@link CommitOutcomeUnknownException} (Redis could not be asked: {@link
 * #commitStatus(String)} with the exception's {@linkplain CommitOutcomeUnknownException#writeId()
 * write id} settles it later). A write whose reply was lost or came too late is settled by
 * asking Redis for its write id, so a write that timed out but was applied is reported applied.
 *
 * <h2>Redis Cluster and replicas</h2>
 *
 * <p>{@link RedisStoreBuilder#cluster(Iterable)} connects through a Redis Cluster client (the
 * store's keys share one slot); {@link RedisStoreBuilder#replicaAcks(int, Duration)} makes a
 * write wait for replicas ({@code WAIT}) and report a shortfall with {@link
 * ReplicaAcknowledgementException} (committed, not yet replicated).
 *
 * <h2>History</h2>
 *
 * <p>Built with a history size ({@link RedisStoreBuilder#history(int)}, or the starter's {@code
 * snapflux.stores.<name>.history-size}), {@link #history()} holds the last versions (the same on
 * every instance: an instance reads them from the stream when it opens) and undoes and redoes
 * them as new versions committed through the same compare-and-set as updates. Undo and redo are
 * derived from the causes in the shared history, not from per-instance memory: an undo made on
 * one instance is redone or undone further on another. They reach back only within the kept
 * versions. Without a history size, {@code history()} is empty.
 *
 * <h2>Causes</h2>
 *
 * <p>Causes travel as JSON, encoded as the Spring starter's SSE events encode them: the instance
 * that commits a change keeps its cause object; other instances receive a {@link String} for a
 * cause that was a string (or has no JSON form: its {@code toString()}), a {@link
 * io.snapflux.store.HistoryCause} for an undo or redo, and a Jackson {@code JsonNode} tree for
 * anything else (a record, a number, an enum...).
 *
 * <pre>
 * Implementation notes.
 *
 * Write path. Read the local replica's snapshot, apply the pure function, run the commit rules
 * (validators, then interceptors' beforeCommit: once per attempt, so a rejected or vetoed state
 * never reaches Redis), encode, then run the COMMIT script (LuaScripts) with the version the
 * function saw and this instance's history epoch. The script compares them with Redis's and, if
 * equal, XADDs the entry {@code <version+1>-0} (trimmed, MAXLEN ~), sets state and version and records
 * the write id in the writes set: the script's execution is the linearization point, Redis runs
 * it atomically.
 * If the version differs, the script answers with the current snapshot and the function is
 * applied again to it (the replica may simply lag behind the stream); retries after the second
 * wait a random 0..2^k ms (capped at 16) and restart from the newer of the reply and the
 * replica: waiting makes the reply stale, and a stale retry is a certain loss (found by
 * twoInstances_concurrentIncrements_*, where the backing-off instance starved). compareAndSet
 * and updateIfVersion use the same script with the caller's version and report the conflict
 * instead of retrying.
 *
 * Write turns. write() takes a turn (WriteTurns: a FIFO, non-blocking mutex per store) before
 * reading the replica and releases it when the write ends (committed and installed, failed,
 * settled or cancelled). Without turns, n writers of one instance all start from the same base
 * and all but one lose, so they cost about n^2/2 round trips: 8 threads on one store ran at
 * 0.26x one thread's rate with 1.62 retries per update (docs/performance.md §5). The turn only
 * spares round trips; the COMMIT script still decides every write, so a turn ended early (a
 * cancelled write) costs at most a conflict. The wait for a turn is bounded by writeTimeout on
 * the client's timer wheel, armed only when the turn is not free (RedisWriteTurnsTest,
 * WriteTurnsTest, WriteTurnsLincheckTest).
 *
 * Idempotency and unknown outcomes. Each write carries an id (instance:sequence:first base),
 * the same on every attempt and resend. The writes set keeps the ids of the last
 * writeIdRetention versions whatever the stream trimming did, so a resent COMMIT is answered
 * "committed at v", never applied twice and never reported as a conflict. Every transport error
 * (Lettuce's, or a raw SocketException) resends the same COMMIT until the write timeout; a
 * Redis error reply is final. When the timeout strikes while a COMMIT may be on its way (sent,
 * reply not seen), the write is settled with FENCE on a connection of its own: committed ->
 * the write succeeds as if the reply had come (replica, afterCommit once); absent -> FENCE
 * marks the id so a late copy is refused, and the write fails "not committed"; Redis
 * unreachable -> CommitOutcomeUnknownException with the write id, which commitStatus settles
 * later the same way. The Write's "committed" result is produced by exactly one path (the reply
 * or the settlement: the timeout cancels the reply path before settling), so afterCommit runs
 * once.
 *
 * Histories. The meta hash holds an epoch, made when SYNC seeds the store (empty Redis). Every
 * entry carries it; COMMIT refuses another epoch (-2) or a Redis version below the writer's
 * expected one (-3, Redis came back older). reconcile() then brings this instance onto Redis's
 * history: same epoch and Redis not behind -> the same history if Redis's writes set holds the
 * write id of the replica's newest version at that version (a fingerprint: Redis came back
 * older and another instance committed over the lost versions otherwise, handled as another
 * history; unknown ids or trimmed ones count as the same); another history with Redis at least
 * two versions ahead -> install Redis's snapshot (a visible jump); otherwise ADVANCE moves Redis
 * to {@code <local version + 2>} under a new epoch if Redis still holds what was observed (a CAS: never
 * over newer state), so that no version this replica or any follower of Redis has seen names a
 * second state, and everyone sees a jump. The new entry carries the replica's state when Redis
 * is behind in the same history (the replica holds the writes Redis lost: the most advanced
 * replica wins, as a re-seed of an empty Redis does), else Redis's state (another instance's
 * history is never overwritten). A carried state brings the ids of the writes it holds beyond
 * Redis (recentWrites: the write id of each of the replica's last 1,024 versions, noted with
 * the head), recorded at their versions: a writer whose reply was lost with the old Redis finds
 * its id on its resend or status check, where without it the resend met a conflict and applied
 * the function again on a state that held its first copy (RedisSentinelFailoverTest saw one
 * increment too many). If one of those ids was fenced meanwhile, ADVANCE keeps Redis's state:
 * a write declared not committed never comes back (LuaScriptsTest.advance_*,
 * RedisWriteOutcomeTest.redisBackOlder_*). SYNC never re-seeds over a
 * store Redis has; the follower runs SYNC + reconcile after every reconnection and on every
 * entry of a foreign epoch. The replica and the epoch change together under historyLock (a
 * short critical section without I/O).
 *
 * Replica. A Replica (store-core) holds the versions this instance knows; advance() installs a
 * snapshot only if it is newer. A dedicated platform thread ("follower") loops on XREAD BLOCK
 * from {@code <replica version>-0} on a connection of its own and advances the replica entry by entry,
 * reading pages of at most catchUpBytes (count = budget / largest entry seen). After its own
 * commit, a writer advances the replica at once (read-your-writes); if versions committed
 * elsewhere lie between, it first fills them in from the stream (XRANGE pages, transport errors
 * retried), so lossless subscribers see every version in order. The replica only jumps when an
 * entry is missing from the stream (trimmed), undecodable, or of another history.
 *
 * Follower pause. While this instance's own commits come at least every followerPause (1 ms by
 * default) and each finds nothing foreign before it (publishOwn's no-gap path sets
 * ownCommitMark), the follower does not send its XREAD: it would only return those commits, and
 * a blocked XREAD costs Redis a reply and the JVM a thread wake-up on the commit's path (on 2
 * cores, a third of a commit's cost: docs/performance.md §6). Nothing can be missed, because a
 * writer that meets another instance's commit, as a gap before its own (fill) or as a conflict
 * reply, installs it or sets foreignWrites and unparks the follower (wakeFollower); and the
 * follower reads again once a pause passes without an own commit, or at once on a resync, a
 * stuck state or close. An instance that does not write never pauses.
 * (RedisFollowerPauseTest.*)
 *
 * History capability (a history size n above 0). Each instance keeps a window: the replica's
 * newest versions, consecutive and of one epoch, at most n, changed together with the replica
 * under windowLock (advanceReplica); a jump (gap, resync, another epoch) starts it again. It is
 * filled from the stream (XREVRANGE below its oldest version) when the store opens and, by the
 * follower, after a jump, so an instance that started later holds the same versions as the
 * others (memory: n decoded states). versions() and at(v) read the window, never the network.
 * Undo and redo are ordinary writes (the same Write, COMMIT compare-and-set, resends, settling
 * and afterCommit) whose next state and cause are planned on the window ending at the attempt's
 * base (a conflict reply's newer base is first filled in from the stream): nothing is kept per
 * instance. The rule, a function of the shared history (versions and their causes) alone:
 *   undo target of v: if v's cause is Undo(restored r), the undo target of r (an undo restored
 *     r's state and r's undo stack); otherwise v - 1;
 *   redo target of v: if v's cause is Undo, v - 1 (the version it undid); if it is Redo(t), the
 *     redo target of t (a redo of t leaves the redo stack t had); otherwise none (an ordinary
 *     change empties the redo stack);
 * a target outside the window means nothing to undo (redo). This gives the memory store's stacks
 * (UndoStacks) bounded by the window instead of by a count of steps, and every instance with
 * the same window plans the same undo; two instances undoing at once race in COMMIT like any
 * writers (one wins, the other re-plans on the new head or reports the conflict). Causes travel
 * as JSON (CauseJson) so that every instance reads HistoryCause back.
 *
 * Deltas. An entry carries the full state (s) or, for a state of at least deltaThreshold bytes
 * whose patch is at most half its size and whose version is not a multiple of fullEvery, a JSON
 * Patch (d) from the attempt's base: COMMIT checked that base is Redis's version - 1 of the
 * writer's epoch, so the patch's base is the version before in that epoch. snapshotOf applies a
 * patch only to a base at exactly version - 1 of the entry's epoch (the follower and fill only
 * take the next version anyway); anything else throws as undecodable and the caller resyncs
 * from the full state key. backfill reads back to a full entry (at most fullEvery more) and
 * decodes forward. (RedisStreamDeltaTest.*)
 *
 * Undecodable entries. An entry the codec cannot read is skipped by jumping to Redis's state (a
 * visible gap, lastError names the version); if the state itself cannot be read, the instance
 * reports itself down naming the version, reads keep serving the replica, writes fail at once
 * naming it, and the follower waits for a newer entry (no resync loop).
 *
 * Faults. A connection listener marks the store down as soon as one of its connections drops;
 * reads keep serving the replica. The follower catches every Throwable (Errors included), marks
 * the store down with it and starts over; health also checks that the follower thread lives.
 *
 * Counters (redisStats(); LongAdders, one increment where the event happens, nothing else on
 * the hot path):
 *  - roundTrips: where each COMMIT, SYNC, ADVANCE or FENCE call, catch-up XRANGE page and history
 *    check (ZSCORE, HGET) is sent (inside the deferred call, so every resend counts again);
 *  - retries: casRetries, where a COMMIT's conflict reply makes update try again;
 *  - resends: in retrying()'s resent(), before each new call after a transport error;
 *  - reconnects: in the connection listener, when the commands or follower connection connects
 *    (the listener is added after they first connect, so only re-connections count);
 *  - resyncs: when a resync completes (the follower after a reconnection, a gap, an undecodable
 *    entry or another epoch; a writer after COMMIT -1/-2/-3 or an expected version ahead), not
 *    inside resync(), which recurses;
 *  - writeTimeouts: at the start of settle() (the write timeout's fallback);
 *  - outcomesUnknown: where settle() makes a CommitOutcomeUnknownException;
 *  - underReplicated: where replicated() makes a ReplicaAcknowledgementException (the one place
 *    it is made; once per write, sync and async alike: update() joins the async path);
 *  - streamLagVersions = max(0, newestSeen - replica version); newestSeen is a racy max of the
 *    versions in COMMIT/SYNC/ADVANCE replies and of each XREAD batch's last entry, set outright
 *    when the replica moves to another history.
 *
 * Invariants (and the tests that check them):
 *  1. Versions grow by exactly one per commit across all instances; no increment is lost.
 *     (RedisStoreTest.twoInstances_concurrentIncrements_neverLostAndSeenInOrderEverywhere,
 *      RedisFaultMatrixTest.faults_twoInstancesIncrementing_acknowledgedEqualsFinalAndOneStatePerVersion)
 *  2. A lossless subscriber of any instance sees every version in order, unless the stream lost
 *     the entries it needed or the history changed, when it sees a visible jump.
 *     (RedisStoreTest.twoInstances_concurrentIncrements_neverLostAndSeenInOrderEverywhere,
 *      RedisStoreTest.redisRestartedWithItsData_replicaResyncsAndSubscribersContinue,
 *      RedisStoreTest.partitionedInstance_*, RedisHistoryTest.*)
 *  3. A write returns only after its commit is in the local replica (read-your-writes).
 *     (RedisStoreContractTest, all of StoreContractTest)
 *  4. With Redis down, reads serve the last snapshot, health says so, writes fail within the
 *     write timeout (twice it when a COMMIT was in flight) and change nothing.
 *     (RedisStoreTest.redisDown_readsServeLastSnapshotAndWritesFailWithinTimeout)
 *  5. A resent commit is answered "committed", never applied twice, whatever the stream kept; a
 *     stale one changes nothing; a fenced one never applies.
 *     (LuaScriptsTest.commit_resentAfterStreamTrimmed_*, LuaScriptsTest.fence_*,
 *      LuaScriptsTest.commit_staleVersion_*)
 *  6. A write whose reply is lost, reset or late is reported applied iff it applied, with
 *     afterCommit once; if Redis cannot be asked, CommitOutcomeUnknownException, and
 *     commitStatus tells later. (RedisWriteOutcomeTest.*, RedisFaultMatrixTest.*)
 *  7. No version names two states: Redis back older or empty never makes a replica install a
 *     second state under a version it has seen; update never returns a version snapshot()
 *     contradicts. (RedisHistoryTest.*, RedisFaultMatrixTest.*)
 *  8. No write path blocks a non-blocking thread (Reactor parallel, Netty event loops).
 *     (RedisStoreBlockHoundTest)
 *  9. Validators and beforeCommit run on every attempt before the CAS; a rejected state writes
 *     nothing; afterCommit runs once per own commit, after it, never for other instances'.
 *     (RedisStoreCommitRulesTest, RedisStoreContractTest.validator_*,
 *      SnapfluxRedisAutoConfigurationTest.customizer*)
 * 10. The follower survives any Throwable; an undecodable entry never wedges the instance; the
 *     writer's own snapshots carry its cause object.
 *     (RedisRobustnessTest.*)
 * 11. Each counter of redisStats() moves when its event happens and not otherwise; the stream
 *     lag is 0 once the replica has every version seen in Redis. (RedisStatsTest.*,
 *      RedisWriteOutcomeTest.update_requestLaterThanWriteTimeout_*,
 *      RedisWriteOutcomeTest.update_redisUnreachableBeforeTheOutcomeIsKnown_*)
 * 12. With replicaAcks n > 0 a write returns normally only after WAIT counted n replicas on the
 *     connection that committed it (equal CLIENT IDs around the pipeline); fewer -> committed,
 *     installed, afterCommit once, then ReplicaAcknowledgementException; on a cluster no
 *     acknowledged write is lost when its master is killed and a replica promoted.
 *     (RedisReplicaAcksTest.*, LuaScriptsTest.commit_resentWithTouch_*,
 *      RedisClusterTest.masterKilledUnderWriters_withReplicaAcks_noAcknowledgedIncrementLost)
 * 13. History: every instance holds the same last n versions with the same causes (a late
 *     starter included); undo and redo are new versions through COMMIT, derived from the shared
 *     history, so an undo on one instance is seen on the others and continued by them; two
 *     conditional undos at one version: exactly one applies. (RedisStoreContractTest.history_*,
 *     RedisSharedHistoryTest.*)
 * </pre>
 *
 * @param <S> the type of the state
 */
public final class RedisStore<S> implements Store<S> {

  private static final Logger LOG = Loggers.getLogger(RedisStore.class);
  private static final long ANY_VERSION = CommitPipeline.ANY_VERSION;
  private static final int BATCH = 512;
  private static final String HISTORY_CHANGED = "snapflux: Redis history changed, resynced";

  private final String name;
  private final StateCodec<S> codec;
  /** The shared commit attempt: version check, apply, equivalence, rules, counters. */
  private final CommitPipeline<S> pipeline;
  private final AsyncWrites<S> async = new RedisAsyncWrites();
  private final Duration writeTimeout;
  private final Duration pollTimeout;
  private final Duration reconnectDelay;
  /** The follower's pause after own commits, in nanoseconds (0: none). */
  private final long followerPauseNanos;
  /** This instance's writes to the store, one at a time ({@code null}: not queued). */
  private final @Nullable WriteTurns turns;
  /** The version of this instance's latest own commit with nothing foreign before it (racy). */
  private volatile long ownCommitMark = -1;
  /** Set when a writer found versions committed elsewhere: the follower stops pausing. */
  private volatile boolean foreignWrites;
  private final byte[] maxLength;
  private final byte[] retention;
  private final long catchUpBytes;
  /** Stream deltas: the smallest state written as a patch (0: never), every how many full. */
  private final long deltaThreshold;
  private final int fullEvery;
  /** Set when the codec's bytes are not JSON: every entry then carries the full state. */
  private volatile boolean deltasUnsupported;
  private final Clock clock;

  private final String[] keys;
  private final String streamKey;

  private final AbstractRedisClient client;
  /**
   * The client's timer wheel (Lettuce's {@code ClientResources.timer()}, a Netty {@code
   * HashedWheelTimer}): arms and cancels each write's timeout without waking a thread (see
   * {@link #after(Duration)}).
   */
  private final io.netty.util.Timer timer;
  private final RedisConnector connector;
  private final boolean ownsClient;
  private final StatefulConnection<String, byte[]> commands;
  private final StatefulConnection<String, byte[]> follower;
  /** Settles unknown outcomes: never queued behind a write whose reply is lost. */
  private final StatefulConnection<String, byte[]> control;
  private final RedisClusterReactiveCommands<String, byte[]> redis;
  /** WAIT after each COMMIT, or {@code null} when no replica acknowledgement is required. */
  private final @Nullable ReplicaAcks acks;
  private final RedisConnectionStateListener listener;
  private final Replica<S> replica;
  private final Thread followerThread;

  private final String writerId;
  private final AtomicLong writeSequence = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The history size (the store options'), 0 for a store without history. */
  private final int historySize;
  /** The history capability; null without history. */
  private final @Nullable History<S> historyView;
  /** Guards advancing the replica together with {@link #window}. */
  private final Object windowLock = new Object();
  /**
   * The replica's newest versions, consecutive and of one epoch, at most historySize of them,
   * newest last (the replica's snapshot): the history. Replaced under windowLock.
   */
  private volatile Vector<Snapshot<S>> window;
  /** The oldest window version a backfill from the stream was last tried below, or -1. */
  private volatile long backfilledBelow = -1;
  /** The cause objects of this instance's writes in flight, by write id. */
  private final Map<String, Object> ownCauses = new ConcurrentHashMap<>();

  /** Guards changing the replica's history: the replica's snapshot and {@link #epoch} together. */
  private final Object historyLock = new Object();
  /** The epoch of the history the replica follows. */
  private volatile String epoch;
  /** The write id of a recent version of the replica: a fingerprint of its history. */
  private final AtomicReference<Head> head = new AtomicReference<>(new Head(-1, null));
  /** Write ids of the replica's last {@value #RECENT_WRITES} versions (carried by ADVANCE). */
  private final RecentWrites recentWrites = new RecentWrites(RECENT_WRITES);
  private static final int RECENT_WRITES = 1024;

  /** Whether the follower is in sync with the stream (the connections' state is checked too). */
  private volatile boolean following;
  private volatile boolean resyncNeeded;
  private volatile @Nullable Instant downSince;
  private volatile @Nullable String lastError;
  /** The version of an undecodable state the replica cannot pass, or -1. */
  private volatile long stuckAt = -1;
  /** The largest encoded state seen, in bytes: sizes catch-up pages. Racy max: benign. */
  private volatile long largestEntry = 1;

  // RedisStats: where each counter moves is listed under "Counters" in the notes above.
  private final LongAdder roundTrips = new LongAdder();
  private final LongAdder resends = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder resyncs = new LongAdder();
  private final LongAdder writeTimeouts = new LongAdder();
  private final LongAdder outcomesUnknown = new LongAdder();
  private final LongAdder underReplicated = new LongAdder();
  /**
   * The newest version this instance has seen in Redis. Racy max (a smaller value may overwrite
   * a larger one seen at the same moment): benign, it only under-reports the lag until the next
   * version is seen. Set outright when the replica moves to another history.
   */
  private volatile long newestSeen;

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

  /**
   * The Redis backend, for {@link io.snapflux.store.StoreBuilder#backend(io.snapflux.store.Backend)}:
   * the same options as any store, taken the same way.
   *
   * <pre>{@code
   * Store<Long> counter = Store.builder(0L).name("counter")
   *     .backend(RedisStore.backend(client))
   *     .build();
   * }</pre>
   *
   * @param client a Lettuce client the application owns
   * @return a new backend configuration
   */
  public static RedisBackend backend(RedisClient client) {
    return new RedisBackend(client);
  }

  RedisStore(RedisStoreBuilder<S> b, StoreOptions<S> options) {
    // Initialized here, on the thread that builds the store: its static initializer reads jars
    // (ServiceLoader), which must not happen inside the first commit on a Reactor thread.
    CauseJson.load();
    this.name = b.name;
    this.codec = Objects.requireNonNull(b.codec);
    this.pipeline = new CommitPipeline<>(options);
    this.writeTimeout = b.writeTimeout;
    this.pollTimeout = b.pollTimeout;
    this.reconnectDelay = b.reconnectDelay;
    this.followerPauseNanos = b.followerPause.toNanos();
    this.turns = b.queueWrites ? new WriteTurns() : null;
    this.maxLength = LuaScripts.bytes(b.streamMaxLength);
    this.retention = LuaScripts.bytes(b.writeIdRetention);
    this.catchUpBytes = b.catchUpBytes;
    this.deltaThreshold = b.deltaThreshold;
    this.fullEvery = b.fullEvery;
    this.clock = options.clock();
    this.historySize = options.historySize();
    this.historyView = historySize == 0 ? null : new RedisHistory();
    String prefix = "snapflux:{" + name + "}:";
    this.keys = new String[] {
        prefix + "state", prefix + "version", prefix + "stream", prefix + "meta", prefix + "writes"};
    this.streamKey = keys[2];
    this.writerId = newId() + ":";
    pipeline.validateInitial(options.initial());

    if (b.client != null) {
      this.connector = RedisConnector.of(b.client);
      this.ownsClient = false;
    } else if (b.clusterClient != null) {
      this.connector = RedisConnector.of(b.clusterClient);
      this.ownsClient = false;
    } else if (b.clusterUris != null) {
      this.connector = RedisConnector.ownCluster(b.clusterUris);
      this.ownsClient = true;
    } else {
      this.connector = RedisConnector.own(Objects.requireNonNull(b.uri));
      this.ownsClient = true;
    }
    this.client = connector.client();
    this.timer = client.getResources().timer();
    // Starts the wheel's thread (if the client has not yet) here, on the building thread: the
    // first newTimeout waits for that start, which a write on a non-blocking thread must not.
    try {
      timer.newTimeout(t -> { }, 1, TimeUnit.MILLISECONDS);
    } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
      // A stopped timer (the client was shut down): connecting below fails and says so.
    }
    this.acks = b.replicaAcks > 0
        ? new ReplicaAcks(connector, b.replicaAcks, b.replicaAckTimeout) : null;
    StatefulConnection<String, byte[]> c = null;
    StatefulConnection<String, byte[]> f = null;
    StatefulConnection<String, byte[]> k = null;
    Current<S> current;
    try {
      c = connector.connect();
      f = connector.connect();
      k = connector.connect();
      f.setTimeout(pollTimeout.plus(writeTimeout));
      this.commands = c;
      this.follower = f;
      this.control = k;
      this.redis = RedisConnector.reactive(c);
      checkEvictionPolicy(k);
      Snapshot<S> seed = Snapshot.of(0, options.initial(), null, clock.millis());
      current = Objects.requireNonNull(syncScript(seed).block(writeTimeout));
    } catch (RuntimeException e) {
      for (StatefulConnection<String, byte[]> conn : java.util.Arrays.asList(k, f, c)) {
        if (conn != null) {
          conn.closeAsync();
        }
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
    this.epoch = current.epoch();
    this.replica = Replica.of(name, current.snapshot(), b.deliveryScheduler);
    this.window = Vector.of(current.snapshot());
    backfill();
    this.following = true;
    this.listener = new ConnectionListener();
    client.addListener(listener);
    this.followerThread = new Thread(this::follow, "snapflux-redis-follower-" + name);
    followerThread.setDaemon(true);
    followerThread.start();
  }

  /**
   * An {@code allkeys-*} eviction policy may evict the version or the write ids, which breaks
   * the compare-and-set and idempotent resends: refused. If Redis hides CONFIG (some managed
   * services), a warning says what to check.
   */
  private void checkEvictionPolicy(StatefulConnection<String, byte[]> connection) {
    String policy;
    try {
      policy = RedisConnector.sync(connection).configGet("maxmemory-policy").get("maxmemory-policy");
    } catch (RedisCommandExecutionException e) {
      LOG.warn("store '{}': cannot read Redis's maxmemory-policy ({}); make sure it is not "
          + "allkeys-*: evicting a store's keys breaks its compare-and-set and idempotency", name,
          e.getMessage());
      return;
    }
    if (policy != null && policy.startsWith("allkeys-")) {
      throw new StoreException(name, "store '" + name + "': Redis has maxmemory-policy " + policy
          + ", which may evict the store's version, state or write ids and so lose or double "
          + "writes; use noeviction (or a volatile-* policy: the store's keys never expire)");
    }
  }

  private static String newId() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  /**
   * The cluster client options a store needs from an application's {@link
   * io.lettuce.core.cluster.RedisClusterClient} (those {@link RedisStoreBuilder#cluster(Iterable)}
   * uses for a client of its own): commands rejected while a node is disconnected, the topology
   * refreshed on every adaptive trigger (MOVED, ASK, persistent reconnects, an uncovered slot,
   * an unknown node; at most twice a second) and every 5 seconds, so a replica's promotion is
   * picked up about a second after it happens.
   *
   * @return a builder of such options, to add the application's own to
   */
  public static io.lettuce.core.cluster.ClusterClientOptions.Builder clusterClientOptions() {
    return RedisConnector.clusterOptions();
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

  /**
   * The epoch of the history this instance follows: a random id made when the store was seeded
   * in Redis, replaced whenever Redis lost data and the histories were reconciled (see the
   * class notes). A version names one state within one epoch.
   *
   * @return the current history epoch
   */
  public String epoch() {
    return epoch;
  }

  // ---------------------------------------------------------------------------------------------
  // Writes: synchronous facade

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads (use {@link
   * #async()}).
   *
   * @throws StoreUnavailableException if Redis did not confirm within the write timeout
   * @throws IllegalStateException if called on a non-blocking Reactor thread
   */
  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    return join(async.update(cause, fn));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads (use {@link
   * #async()}).
   */
  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    return join(async.compareAndSet(expectedVersion, newState));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks for the Redis round trip: not for non-blocking Reactor threads (use {@link
   * #async()}).
   */
  @Override
  public Outcome<S> updateIfVersion(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    return join(async.updateIfVersion(expectedVersion, cause, fn));
  }

  /**
   * The non-blocking writes: each completes on the reply of its own Redis round trip (and the
   * committed snapshot is already in this instance's replica). Lazy: nothing happens until
   * subscription. Update functions may be applied more than once; after the first attempt, and
   * for a write that waited for its turn, they run on a Redis I/O thread, so they must also be
   * quick. They fail with {@link
   * StoreUnavailableException}, {@link CommitOutcomeUnknownException}, {@link
   * StateValidationException}, {@link StoreClosedException} or what the function threw.
   */
  @Override
  public AsyncWrites<S> async() {
    return async;
  }

  private final class RedisAsyncWrites implements AsyncWrites<S> {

    @Override
    public Mono<Snapshot<S>> update(@Nullable Object cause, UnaryOperator<S> fn) {
      Objects.requireNonNull(fn, "fn");
      return write(cause, ANY_VERSION, fn).map(Result::snapshot);
    }

    @Override
    public Mono<Boolean> compareAndSet(long expectedVersion, S newState) {
      Objects.requireNonNull(newState, () -> pipeline.nullStateMessage("compareAndSet"));
      CommitPipeline.requireVersion(expectedVersion);
      return write(null, expectedVersion, s -> newState).map(r -> !r.conflict());
    }

    @Override
    public Mono<Outcome<S>> updateIfVersion(
        long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
      Objects.requireNonNull(fn, "fn");
      CommitPipeline.requireVersion(expectedVersion);
      return write(cause, expectedVersion, fn).map(r -> r.conflict()
          ? new Outcome.Conflict<>(expectedVersion, r.snapshot())
          : new Outcome.Applied<>(r.snapshot()));
    }
  }

  private record Result<S>(Snapshot<S> snapshot, boolean conflict) {}

  /** One logical write: its id stays the same across attempts and resent commands. */
  private static final class Write<S> {
    /** The cause; for an undo or redo, who asked ({@link HistoryCause#by()}). */
    final @Nullable Object cause;
    final long expected;
    final UnaryOperator<S> fn;
    /** {@link #ORDINARY}, {@link #UNDO} or {@link #REDO}. */
    int travel = ORDINARY;
    final String id;
    final long firstBase;
    volatile @Nullable Throwable lastError;
    /** The attempt whose COMMIT was sent last. */
    volatile @Nullable Attempt<S> sent;
    /** Whether a COMMIT of this write may have reached Redis without its reply reaching us. */
    volatile boolean inDoubt;
    /** WAIT's count after the COMMIT that decided this write; -1 if not asked. */
    volatile long acknowledged = -1;

    Write(@Nullable Object cause, long expected, UnaryOperator<S> fn, String id, long firstBase) {
      this.cause = cause;
      this.expected = expected;
      this.fn = fn;
      this.id = id;
      this.firstBase = firstBase;
    }
  }

  private static final int ORDINARY = 0;
  private static final int UNDO = 1;
  private static final int REDO = 2;

  private record Attempt<S>(Snapshot<S> base, S next, @Nullable Object cause, long timestamp) {}

  /** Which write made {@code version} in the replica's history ({@code null}: not known). */
  private record Head(long version, @Nullable String writeId) {}

  private void noteHead(long version, byte @Nullable [] writeId) {
    noteHead(version, writeId == null ? null : text(writeId));
  }

  private void noteHead(long version, @Nullable String writeId) {
    Head next = new Head(version, writeId);
    head.accumulateAndGet(next, (a, b) -> b.version() > a.version() ? b : a);
    if (writeId != null) {
      recentWrites.put(version, writeId);
    }
  }

  /**
   * The ids of the writes that made the replica's newest versions, as far as known: what ADVANCE
   * records with a carried state. Slot {@code version % capacity}, so the newest versions stay.
   */
  private static final class RecentWrites {
    private final long[] versions;
    private final String[] ids;

    RecentWrites(int capacity) {
      versions = new long[capacity];
      Arrays.fill(versions, -1);
      ids = new String[capacity];
    }

    synchronized void put(long version, String id) {
      int i = (int) (version % versions.length);
      versions[i] = version;
      ids[i] = id;
    }

    /** The known (version, id) pairs for versions {@code from < v <= to}, as ADVANCE arguments. */
    synchronized List<byte[]> between(long from, long to) {
      List<byte[]> pairs = new ArrayList<>();
      for (long v = Math.max(from + 1, to - versions.length + 1); v <= to; v++) {
        int i = (int) (v % versions.length);
        if (versions[i] == v) {
          pairs.add(LuaScripts.bytes(v));
          pairs.add(LuaScripts.bytes(ids[i]));
        }
      }
      return pairs;
    }
  }

  /** How a write was decided; {@code base} is set iff this write committed {@code snapshot}. */
  private record Decided<S>(Snapshot<S> snapshot, @Nullable Snapshot<S> base, boolean conflict) {}

  /** Redis's current snapshot and epoch; {@code seeded} if this instance's SYNC just seeded it. */
  private record Current<S>(Snapshot<S> snapshot, String epoch, boolean seeded) {}

  private Mono<Result<S>> write(@Nullable Object cause, long expected, UnaryOperator<S> fn) {
    return write(cause, expected, fn, ORDINARY);
  }

  private Mono<Result<S>> write(
      @Nullable Object cause, long expected, UnaryOperator<S> fn, int travel) {
    WriteTurns t = turns;
    if (t == null) {
      return writeNow(cause, expected, fn, travel);
    }
    return Mono.defer(() -> {
      requireOpen();
      return t.take(after(writeTimeout), this::waitedForTurn)
          .flatMap(turn -> turn.claim()
              ? writeNow(cause, expected, fn, travel).doFinally(s -> turn.release())
              : Mono.empty()); // cancelled just as the turn came: nothing to do
    });
  }

  private StoreUnavailableException waitedForTurn() {
    return new StoreUnavailableException(name, "store '" + name + "': the write was not sent: it "
        + "waited " + writeTimeout + " for this instance's earlier writes to the store, which Redis "
        + "has not answered" + (isConnected() ? "" : " (Redis is unreachable)") + "; it did not "
        + "commit; reads serve version " + replica.snapshot().version(), null);
  }

  /** One write, sent now: {@link #write} calls it in turn (or at once without turns). */
  private Mono<Result<S>> writeNow(
      @Nullable Object cause, long expected, UnaryOperator<S> fn, int travel) {
    return Mono.defer(() -> {
      requireOpen();
      Snapshot<S> base = replica.snapshot();
      Write<S> w = new Write<>(cause, expected, fn,
          writerId + writeSequence.incrementAndGet() + ":" + base.version(), base.version());
      w.travel = travel;
      if (cause != null && travel == ORDINARY) {
        ownCauses.put(w.id, cause);
      }
      Mono<Decided<S>> decided = expected != ANY_VERSION && base.version() < expected
          // The caller read a version this replica has not seen yet: fetch the state.
          ? retrying(w, this::resync).flatMap(s -> {
            resyncs.increment();
            return attempt(w, s, 0);
          })
          : attempt(w, base, 0);
      return decided
          // The timeout cancels the reply path before settling: one path decides.
          // Settling starts on the parallel scheduler, not on the timer wheel's one thread.
          .timeout(after(writeTimeout),
              Mono.defer(() -> settle(w)).subscribeOn(Schedulers.parallel()))
          .flatMap(d -> {
            Snapshot<S> committedBase = d.base();
            if (committedBase == null) {
              return Mono.just(new Result<>(d.snapshot(), d.conflict()));
            }
            return publishOwn(d.snapshot(), w.id)
                .then(Mono.fromRunnable(() -> pipeline.committed(committedBase, d.snapshot())))
                .then(Mono.defer(() -> replicated(w, d.snapshot())))
                .thenReturn(new Result<>(d.snapshot(), false));
          })
          .onErrorMap(e -> closed.get() && isTransportError(e), e -> new StoreClosedException(name))
          .doFinally(signal -> ownCauses.remove(w.id));
    });
  }

  /**
   * Completes if the write needs no replica acknowledgement or WAIT counted enough replicas;
   * otherwise fails with {@link ReplicaAcknowledgementException} (the write stands: it is
   * committed, in the replica, and afterCommit ran).
   */
  private Mono<Void> replicated(Write<S> w, Snapshot<S> committed) {
    ReplicaAcks a = acks;
    long n = w.acknowledged;
    if (a == null || n >= a.replicas()) {
      return Mono.empty();
    }
    underReplicated.increment();
    return Mono.error(new ReplicaAcknowledgementException(name, committed.version(), n,
        a.replicas(), n < 0 ? "the COMMIT's reply was lost; a status check found it committed"
            : "WAIT " + a.replicas() + " " + a.timeout().toMillis() + " answered " + n));
  }

  /**
   * Emits once {@code delay} has passed, on the client's timer wheel: for a write's timeout,
   * armed and cancelled on every write. Reactor's {@code timeout(Duration)} schedules on the
   * parallel scheduler, whose thread is woken on each schedule (a context switch per write on a
   * busy machine) and names the operator chain; the wheel only queues the timeout for its next
   * tick (100 ms by default: a timeout fires up to a tick late, never early). If the client's
   * timer is stopped (an application's client shut down), Reactor's delay stands in.
   */
  private Mono<Long> after(Duration delay) {
    return Mono.create(sink -> {
      try {
        io.netty.util.Timeout t = timer.newTimeout(
            x -> sink.success(0L), delay.toNanos(), TimeUnit.NANOSECONDS);
        sink.onDispose(t::cancel);
      } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
        sink.onDispose(Mono.delay(delay).subscribe(sink::success, sink::error));
      }
    });
  }

  /** The write timed out: ask Redis whether it committed, fencing it if it did not. */
  private Mono<Decided<S>> settle(Write<S> w) {
    writeTimeouts.increment();
    Attempt<S> a = w.sent;
    if (!w.inDoubt || a == null) {
      return Mono.error(unavailable(w));
    }
    return status(w.id, w.firstBase).flatMap(status -> {
      if (status instanceof CommitStatus.Committed c) {
        w.acknowledged = -1; // a WAIT on this write's connection is lost with its reply
        return Mono.just(new Decided<>(
            Snapshot.of(c.version(), a.next(), a.cause(), a.timestamp(), a.base().epoch()),
            a.base(), false));
      }
      if (status instanceof CommitStatus.NotCommitted) {
        return Mono.error(unavailable(w));
      }
      outcomesUnknown.increment();
      return Mono.error(new CommitOutcomeUnknownException(name, w.id, "store '" + name
          + "': Redis did not confirm write " + w.id + " within " + writeTimeout
          + " and could not be asked whether it committed ("
          + ((CommitStatus.Unknown) status).reason() + "); reads serve version "
          + replica.snapshot().version() + "; commitStatus(\"" + w.id + "\") settles it",
          w.lastError));
    });
  }

  private StoreUnavailableException unavailable(Write<S> w) {
    Throwable last = w.lastError;
    return new StoreUnavailableException(name, "store '" + name + "': Redis did not confirm the "
        + "write within " + writeTimeout + (isConnected() ? "" : " (Redis is unreachable)")
        + "; it did not commit; reads serve version " + replica.snapshot().version()
        + (last == null ? "" : "; last error: " + last), last);
  }

  /**
   * Whether the write with this id committed, asked of Redis now. Unless it did, the id is
   * fenced: from now on that write never commits, so a "not committed" answer is final. Blocks
   * for the round trip (at most the write timeout).
   *
   * @param writeId the id from a {@link CommitOutcomeUnknownException}
   * @return committed at a version, not committed, or unknown (Redis unreachable, or the id is
   *     older than the {@linkplain RedisStoreBuilder#writeIdRetention(long) retention})
   * @throws IllegalArgumentException if {@code writeId} is not a write id of this store's kind
   * @throws IllegalStateException if called on a non-blocking Reactor thread
   */
  public CommitStatus commitStatus(String writeId) {
    return join(commitStatusAsync(writeId));
  }

  /**
   * The non-blocking {@link #commitStatus(String)}.
   *
   * @param writeId the id from a {@link CommitOutcomeUnknownException}
   * @return the status; never fails (an unreachable Redis gives {@link CommitStatus.Unknown})
   */
  public Mono<CommitStatus> commitStatusAsync(String writeId) {
    Objects.requireNonNull(writeId, "writeId");
    int last = writeId.lastIndexOf(':');
    long firstBase;
    try {
      firstBase = Long.parseLong(writeId.substring(last + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("'" + writeId + "' is not a write id of a Redis store "
          + "(instance:sequence:version)", e);
    }
    return status(writeId, firstBase);
  }

  private Mono<CommitStatus> status(String writeId, long firstBase) {
    return Mono.defer(() -> {
          roundTrips.increment();
          return LuaScripts.run(RedisConnector.reactive(control), LuaScripts.FENCE, LuaScripts.FENCE_SHA, keys,
              LuaScripts.bytes(writeId), LuaScripts.bytes(firstBase));
        })
        .timeout(writeTimeout)
        .map(reply -> {
          long kind = (Long) reply.get(0);
          if (kind == 1) {
            return (CommitStatus) new CommitStatus.Committed((Long) reply.get(1));
          }
          return kind == 0 ? new CommitStatus.NotCommitted()
              : new CommitStatus.Unknown("Redis no longer holds the write ids of that time");
        })
        .onErrorResume(e -> Mono.just(new CommitStatus.Unknown(String.valueOf(e))));
  }

  private Mono<Decided<S>> attempt(Write<S> w, Snapshot<S> base, int retry) {
    if (w.travel == ORDINARY) {
      return attempt(w, base, null, retry);
    }
    // An undo or redo is planned on the history up to its base: first bring the replica (and
    // its window) up to a base Redis named in a conflict reply.
    return Mono.defer(() -> base.version() > replica.snapshot().version()
            ? fill(base.version() + 1) : Mono.<Void>empty())
        .then(Mono.defer(() -> {
          Vector<Snapshot<S>> win = window;
          return attempt(w, win.last(), win, retry);
        }));
  }

  /** One attempt on {@code base}; {@code win}, the window ending at base, for an undo or redo. */
  private Mono<Decided<S>> attempt(
      Write<S> w, Snapshot<S> base, @Nullable Vector<Snapshot<S>> win, int retry) {
    return Mono.defer(() -> {
      requireOpen();
      if (!pipeline.atVersion(base, w.expected)) {
        return Mono.just(new Decided<>(base, null, true));
      }
      Object cause;
      S next;
      if (win == null) {
        cause = w.cause;
        next = pipeline.apply(base, w.fn, null, cause);
        if (next == base.state()) {
          return Mono.just(new Decided<>(base, null, false)); // equivalent: commit nothing
        }
      } else {
        Travel<S> t = plan(w.travel == UNDO, win, w.cause);
        if (t == null) {
          return Mono.just(new Decided<>(base, null, false)); // nothing to undo or redo
        }
        cause = t.cause();
        next = t.state();
        pipeline.check(base, next, cause);
        ownCauses.put(w.id, cause);
      }
      byte[] bytes = encode(next);
      noteSize(bytes.length);
      byte[] patch = patch(base, bytes);
      Attempt<S> a = new Attempt<>(base, next, cause, clock.millis());
      String attemptEpoch = epoch;
      byte[] history = LuaScripts.bytes(attemptEpoch);
      return retrying(w, () -> {
            boolean doubtBefore = w.inDoubt;
            w.sent = a;
            w.inDoubt = true;
            roundTrips.increment();
            byte[][] args = {
                LuaScripts.bytes(base.version()), bytes, LuaScripts.bytes(a.timestamp()),
                maxLength, LuaScripts.bytes(w.id), LuaScripts.bytes(cause == null ? "0" : "1"),
                cause == null ? new byte[0] : CauseJson.encode(cause), history, retention,
                LuaScripts.bytes(acks == null ? "0" : "1"), patch};
            Mono<List<Object>> commit = acks == null
                ? LuaScripts.run(redis, LuaScripts.COMMIT, LuaScripts.COMMIT_SHA, keys, args)
                : acks.commit(commands, keys, args, n -> w.acknowledged = n);
            return commit
                .doOnNext(reply -> w.inDoubt = false)
                .doOnError(e -> {
                  if (!isTransportError(e)) {
                    w.inDoubt = false; // Redis answered with an error: not applied
                  } else if (isRejected(e)) {
                    w.inDoubt = doubtBefore; // this copy was never sent; an earlier one may be
                  }
                });
          })
          .flatMap(reply -> {
            long kind = (Long) reply.get(0);
            if (kind == 1 || kind == 2) {
              long committed = (Long) reply.get(1);
              noteSeen(committed);
              // base is the version just before: the script committed on top of it.
              return Mono.just(new Decided<>(
                  Snapshot.of(committed, next, cause, a.timestamp(), attemptEpoch), base, false));
            }
            if (kind == -4) {
              return Mono.error(new StoreUnavailableException(name, "store '" + name + "': write "
                  + w.id + " was declared not committed by a status check; it did not commit",
                  null));
            }
            if (kind == -1) {
              // Redis lost the store's keys: re-seed them from this replica, then try again.
              return retrying(w, this::resync).flatMap(s -> {
                resyncs.increment();
                return attempt(w, s, retry + 1);
              });
            }
            Current<S> current = currentOf(reply);
            if (kind == -2 || kind == -3) {
              // Redis holds another history, or came back older: move onto Redis's history.
              return retrying(w, () -> reconcile(current, 0)).flatMap(s -> {
                resyncs.increment();
                return attempt(w, newer(s, replica.snapshot()), retry + 1);
              });
            }
            wakeFollower(); // another instance committed: follow the stream eagerly again
            Snapshot<S> now = current.snapshot();
            if (!pipeline.atVersion(now, w.expected)) {
              return Mono.just(new Decided<>(now, null, true));
            }
            pipeline.retried();
            if (retry < 3) {
              // The reply is a fresh read: retrying at once is the likeliest to win.
              return attempt(w, now, retry + 1);
            }
            // Back off a random 0..2^k ms; the reply is stale by then, so start from the newer
            // of it and the replica (which the follower keeps current meanwhile).
            return Mono.delay(Duration.ofMillis(
                    ThreadLocalRandom.current().nextInt(1 << Math.min(retry - 2, 4))))
                .then(Mono.defer(() -> attempt(w, newer(replica.snapshot(), now), retry + 1)));
          });
    });
  }

  /**
   * The stream entry's patch from {@code base} to {@code next} (empty: the entry carries the full
   * state), by the rule of {@link RedisStoreBuilder#streamDeltas(long, int)}.
   */
  private byte[] patch(Snapshot<S> base, byte[] next) {
    if (deltaThreshold == 0 || next.length < deltaThreshold || deltasUnsupported
        || (base.version() + 1) % fullEvery == 0) {
      return new byte[0];
    }
    try {
      byte[] patch = StatePatches.diff(encode(base.state()), next);
      return patch.length * 2L <= next.length ? patch : new byte[0];
    } catch (RuntimeException e) {
      deltasUnsupported = true;
      LOG.warn("store '{}': the codec {} does not write JSON; stream entries carry full states "
          + "({})", name, codec, e.toString());
      return new byte[0];
    }
  }

  private static <S> Snapshot<S> newer(Snapshot<S> a, Snapshot<S> b) {
    return a.version() >= b.version() ? a : b;
  }

  /**
   * Retries {@code call} on transport errors every reconnect delay (the write timeout bounds):
   * resending a COMMIT is safe, its write id makes it idempotent. The retry machinery
   * ({@code retryWhen}'s companion and sinks) is built only after a first transport error: a call
   * that succeeds at once, the common case, pays one {@code onErrorResume}.
   */
  private <T> Mono<T> retrying(@Nullable Write<S> w, Supplier<Mono<T>> call) {
    return Mono.defer(call).onErrorResume(this::resendable, first -> {
      resent(w, first);
      return Mono.delay(reconnectDelay).then(Mono.defer(call)
          .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, reconnectDelay)
              .filter(this::resendable)
              .doBeforeRetry(signal -> resent(w, signal.failure()))));
    });
  }

  private boolean resendable(Throwable e) {
    return !closed.get() && isTransportError(e);
  }

  private void resent(@Nullable Write<S> w, Throwable failure) {
    resends.increment();
    if (w != null) {
      w.lastError = failure;
    }
    lastError = String.valueOf(failure);
  }

  /**
   * Installs this instance's own commit in the replica, after the versions committed elsewhere
   * before it (so lossless subscribers miss none), read from the stream if the follower has not
   * delivered them yet. The commit stands whatever happens here: if Redis stays unreachable for
   * the write timeout, the replica jumps (a visible gap) and lastError says why.
   */
  private Mono<Void> publishOwn(Snapshot<S> committed, String writeId) {
    if (committed.version() <= replica.snapshot().version() + 1) {
      // Nothing committed elsewhere lies between (the common case): no read, no timer.
      return Mono.fromRunnable(() -> {
        advanceQuietly(committed);
        noteHead(committed.version(), writeId);
        ownCommitMark = committed.version();
      });
    }
    wakeFollower();
    return fill(committed.version())
        .timeout(writeTimeout)
        .onErrorResume(e -> {
          lastError = "store '" + name + "': could not read the versions before own commit "
              + committed.version() + ": " + e;
          return Mono.empty();
        })
        .then(Mono.fromRunnable(() -> {
          advanceQuietly(committed);
          noteHead(committed.version(), writeId);
        }));
  }

  /** Installs the stream's entries below {@code upTo}, page by page, while they are consecutive. */
  private Mono<Void> fill(long upTo) {
    return Mono.defer(() -> {
      long known = replica.snapshot().version();
      if (upTo <= known + 1) {
        return Mono.empty();
      }
      return retrying(null, () -> {
            roundTrips.increment();
            return redis.xrange(streamKey,
                    Range.create((known + 1) + "-0", (upTo - 1) + "-0"), Limit.from(pageSize()))
                .collectList();
          })
          .flatMap(page -> {
            for (StreamMessage<String, byte[]> entry : page) {
              if (!advanceIfNext(entry)) {
                return Mono.<Void>empty();
              }
            }
            return page.isEmpty() ? Mono.<Void>empty() : fill(upTo);
          });
    });
  }

  /**
   * Installs {@code entry} if it is the next version of this history and decodes; false if the
   * filling must stop (a gap, another history, an undecodable entry). Entries the follower
   * installed meanwhile are passed over.
   */
  private boolean advanceIfNext(StreamMessage<String, byte[]> entry) {
    long v = versionOf(entry);
    long known = replica.snapshot().version();
    if (v <= known) {
      return true;
    }
    if (v != known + 1 || !ofThisHistory(entry)) {
      return false;
    }
    try {
      advanceQuietly(snapshotOf(v, entry.getBody()));
      noteHead(v, entry.getBody().get("w"));
      return true;
    } catch (UndecodableStateException e) {
      lastError = e.getMessage();
      return false;
    }
  }

  private boolean ofThisHistory(StreamMessage<String, byte[]> entry) {
    byte[] e = entry.getBody().get("e");
    return e == null || text(e).equals(epoch);
  }

  private void advanceQuietly(Snapshot<S> s) {
    try {
      advanceReplica(s);
    } catch (StoreClosedException e) {
      // Closed meanwhile: the commit stands in Redis, this instance no longer follows it.
    }
  }

  /** Installs a snapshot of Redis's history {@code e}, switching the replica's epoch with it. */
  private void install(Snapshot<S> s, String e) {
    synchronized (historyLock) {
      if (s.version() > replica.snapshot().version()) {
        advanceQuietly(s);
        epoch = e;
        newestSeen = s.version();
      }
    }
  }

  /**
   * Advances the replica and, in a store with history, its window with it (under windowLock, a
   * short critical section without I/O): consecutive versions of one epoch are appended (the
   * oldest dropped beyond the history size), a jump starts the window again.
   */
  private boolean advanceReplica(Snapshot<S> s) {
    if (historySize == 0) {
      return replica.advance(s);
    }
    synchronized (windowLock) {
      if (!replica.advance(s)) {
        return false;
      }
      Vector<Snapshot<S>> w = window;
      Snapshot<S> last = w.last();
      window = last.version() + 1 == s.version() && Objects.equals(last.epoch(), s.epoch())
          ? (w.size() >= historySize ? w.drop(w.size() - historySize + 1) : w).append(s)
          : Vector.of(s);
      return true;
    }
  }

  /**
   * Fills the window with the stream's entries just below its oldest version (same epoch,
   * consecutive), up to the history size: at start-up and after a jump, so an instance's history
   * is the shared one, not only what it saw itself. Blocks (the constructor, the follower); a
   * failure leaves the window as it is. Tried once per oldest version.
   */
  private void backfill() {
    Vector<Snapshot<S>> w = window;
    Snapshot<S> first = w.head();
    int missing = historySize - w.size();
    if (missing <= 0 || first.version() == 0 || backfilledBelow == first.version()) {
      return;
    }
    backfilledBelow = first.version();
    try {
      roundTrips.increment();
      // Patch entries need their predecessor: read back to a full entry (at most fullEvery more).
      List<StreamMessage<String, byte[]>> page = redis.xrevrange(streamKey,
              Range.create("0-0", (first.version() - 1) + "-0"),
              Limit.from(missing + (deltaThreshold == 0 ? 0 : fullEvery)))
          .collectList().block(writeTimeout);
      // The consecutive run of this epoch below the window, oldest first.
      Vector<StreamMessage<String, byte[]>> run = Vector.empty();
      long expect = first.version() - 1;
      for (StreamMessage<String, byte[]> entry : Objects.requireNonNull(page)) {
        byte[] e = entry.getBody().get("e");
        if (versionOf(entry) != expect || e == null || !text(e).equals(first.epoch())) {
          break;
        }
        run = run.prepend(entry);
        expect--;
      }
      run = run.dropWhile(entry -> entry.getBody().get("s") == null);
      Vector<Snapshot<S>> older = Vector.empty();
      Snapshot<S> previous = null;
      for (StreamMessage<String, byte[]> entry : run) {
        previous = snapshotOf(versionOf(entry), entry.getBody(), previous);
        older = older.append(previous);
      }
      older = older.drop(Math.max(0, older.size() - missing));
      if (older.isEmpty()) {
        return;
      }
      synchronized (windowLock) {
        Vector<Snapshot<S>> now = window;
        if (now.head() == first) {
          Vector<Snapshot<S>> filled = older.appendAll(now);
          window = filled.drop(Math.max(0, filled.size() - historySize));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("store '{}': could not read the history below version {} from the stream: {}",
          name, first.version(), e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // History capability: undo and redo derived from the shared history

  @Override
  public Optional<History<S>> history() {
    return Optional.ofNullable(historyView);
  }

  /** An undo or redo planned on a window: the state it restores and its cause. */
  private record Travel<S>(S state, HistoryCause cause) {}

  /**
   * The undo (or redo) of the window's newest version, by the rule in the class notes; null if
   * there is nothing to undo (redo) within the window.
   */
  private static <S> @Nullable Travel<S> plan(
      boolean undo, Vector<Snapshot<S>> win, @Nullable Object by) {
    long head = win.last().version();
    long target = undo ? undoTarget(win, head) : redoTarget(win, head);
    if (target < 0) {
      return null;
    }
    Snapshot<S> t = Objects.requireNonNull(find(win, target));
    return new Travel<>(t.state(), undo
        ? new HistoryCause.Undo(head, target, by)
        : new HistoryCause.Redo(target, by));
  }

  /** The version an undo at {@code v} restores: the top of v's undo stack, or -1. */
  static <S> long undoTarget(Vector<Snapshot<S>> win, long v) {
    for (;;) {
      Snapshot<S> s = find(win, v);
      if (s == null) {
        return -1;
      }
      if (s.cause() instanceof HistoryCause.Undo u && u.restoredVersion() < v) {
        v = u.restoredVersion(); // an undo restored r and r's undo stack
        continue;
      }
      return find(win, v - 1) == null ? -1 : v - 1;
    }
  }

  /** The version a redo at {@code v} restores: the top of v's redo stack, or -1. */
  static <S> long redoTarget(Vector<Snapshot<S>> win, long v) {
    for (;;) {
      Snapshot<S> s = find(win, v);
      if (s == null) {
        return -1;
      }
      if (s.cause() instanceof HistoryCause.Undo) {
        return find(win, v - 1) == null ? -1 : v - 1; // the version it undid
      }
      if (s.cause() instanceof HistoryCause.Redo r && r.restoredVersion() < v) {
        v = r.restoredVersion(); // a redo of t leaves the redo stack t had
        continue;
      }
      return -1; // an ordinary change empties the redo stack
    }
  }

  private static <S> @Nullable Snapshot<S> find(Vector<Snapshot<S>> win, long version) {
    long first = win.head().version();
    if (version < first || version > win.last().version()) {
      return null;
    }
    return win.get((int) (version - first));
  }

  private Mono<Outcome<S>> travel(boolean undo, long expectedVersion, @Nullable Object by) {
    return write(by, expectedVersion, UnaryOperator.identity(), undo ? UNDO : REDO)
        .map(r -> r.conflict()
            ? new Outcome.Conflict<>(expectedVersion, r.snapshot())
            : new Outcome.Applied<>(r.snapshot()));
  }

  /** The history of a store built with a history size: the window, undo and redo. */
  private final class RedisHistory implements History<S> {

    private final AsyncHistory<S> async = new AsyncHistory<>() {
      @Override
      public Mono<Outcome<S>> undoIfVersion(long expectedVersion, @Nullable Object by) {
        CommitPipeline.requireVersion(expectedVersion);
        return travel(true, expectedVersion, by);
      }

      @Override
      public Mono<Outcome<S>> redoIfVersion(long expectedVersion, @Nullable Object by) {
        CommitPipeline.requireVersion(expectedVersion);
        return travel(false, expectedVersion, by);
      }
    };

    @Override
    public io.vavr.collection.List<Snapshot<S>> versions() {
      return window.toList();
    }

    @Override
    public Optional<Snapshot<S>> at(long version) {
      return Optional.ofNullable(find(window, version));
    }

    @Override
    public Snapshot<S> undo(@Nullable Object by) {
      return join(travel(true, ANY_VERSION, by)).snapshot();
    }

    @Override
    public Snapshot<S> redo(@Nullable Object by) {
      return join(travel(false, ANY_VERSION, by)).snapshot();
    }

    @Override
    public Outcome<S> undoIfVersion(long expectedVersion, @Nullable Object by) {
      CommitPipeline.requireVersion(expectedVersion);
      return join(travel(true, expectedVersion, by));
    }

    @Override
    public Outcome<S> redoIfVersion(long expectedVersion, @Nullable Object by) {
      CommitPipeline.requireVersion(expectedVersion);
      return join(travel(false, expectedVersion, by));
    }

    @Override
    public boolean canUndo() {
      return plan(true, window, null) != null;
    }

    @Override
    public boolean canRedo() {
      return plan(false, window, null) != null;
    }

    @Override
    public AsyncHistory<S> async() {
      return async;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Histories

  /**
   * Runs SYNC (seeding Redis from this replica if Redis lost the store) and brings the replica
   * onto Redis's history. Completes with Redis's current snapshot (not installed when it is of
   * the replica's own history: the stream fills the versions in between) or the replica's.
   */
  private Mono<Snapshot<S>> resync() {
    return syncScript(replica.snapshot()).flatMap(c -> {
      if (c.seeded()) {
        synchronized (historyLock) {
          if (replica.snapshot().version() == c.snapshot().version()) {
            epoch = c.epoch();
            newestSeen = c.snapshot().version();
          }
        }
        return Mono.just(replica.snapshot());
      }
      return reconcile(c, 0);
    });
  }

  private Mono<Snapshot<S>> reconcile(Current<S> c, int depth) {
    return Mono.defer(() -> {
      Snapshot<S> local = replica.snapshot();
      long redisVersion = c.snapshot().version();
      if (c.epoch().equals(epoch) && redisVersion >= local.version()) {
        // Same epoch and Redis not behind: the same history, unless Redis came back older and
        // another instance committed over the versions this replica holds (their write ids
        // differ). Then treat it as another history.
        return sameHistory(local).flatMap(same -> {
          if (same) {
            return Mono.just(c.snapshot());
          }
          LOG.warn("store '{}': Redis's version {} is not the one this replica holds: Redis "
              + "came back older and was written over", name, local.version());
          return switchHistory(c, local, depth);
        });
      }
      if (!c.epoch().equals(epoch) && redisVersion >= local.version() + 2) {
        install(c.snapshot(), c.epoch());
        return Mono.just(replica.snapshot());
      }
      return switchHistory(c, local, depth);
    });
  }

  /**
   * Whether Redis's writes set has the replica's newest known write at its version; true when
   * that cannot be told (write id unknown, or trimmed from the set).
   */
  private Mono<Boolean> sameHistory(Snapshot<S> local) {
    Head h = head.get();
    String id = h.writeId();
    if (id == null || h.version() != local.version()) {
      return Mono.just(true);
    }
    return Mono.defer(() -> {
      roundTrips.increment();
      return redis.zscore(keys[4], LuaScripts.bytes(id));
    }).map(score -> score == h.version())
        .switchIfEmpty(Mono.defer(() -> {
          roundTrips.increment();
          return redis.hget(keys[3], "f")
              .map(f -> Long.parseLong(text(f)) > h.version())
              .defaultIfEmpty(true);
        }));
  }

  private Mono<Snapshot<S>> switchHistory(Current<S> c, Snapshot<S> local, int depth) {
    return Mono.defer(() -> {
      long redisVersion = c.snapshot().version();
      boolean behind = c.epoch().equals(epoch) && redisVersion < local.version();
      if (!behind && redisVersion >= local.version() + 2) {
        install(c.snapshot(), c.epoch());
        return Mono.just(replica.snapshot());
      }
      if (depth > 16) {
        return Mono.error(new StoreException(name, "store '" + name + "': could not reconcile with "
            + "Redis's history (Redis at version " + redisVersion + ", replica at "
            + local.version() + ")"));
      }
      LOG.warn("store '{}': Redis holds {} at version {}, this replica {} at version {}: "
              + "moving Redis past this replica's versions under a new epoch", name,
          c.epoch().equals(epoch) ? "the same history" : "another history", redisVersion,
          epoch, local.version());
      // Same epoch, Redis behind: Redis lost versions this replica holds; carry its state on.
      // Another history: Redis holds another instance's versions; keep its state.
      // The ids of the writes carried with it go along (see LuaScripts.ADVANCE).
      boolean ours = behind;
      List<byte[]> args = new ArrayList<>(List.of(
          LuaScripts.bytes(c.epoch()), LuaScripts.bytes(redisVersion),
          LuaScripts.bytes(local.version()), LuaScripts.bytes(clock.millis()), maxLength,
          LuaScripts.bytes(newId()), CauseJson.encode(HISTORY_CHANGED),
          LuaScripts.bytes(ours ? "1" : "0"), ours ? encode(local.state()) : new byte[0]));
      List<byte[]> carried = ours
          ? recentWrites.between(redisVersion, local.version()) : List.of();
      args.add(LuaScripts.bytes(carried.size() / 2));
      args.addAll(carried);
      roundTrips.increment();
      return LuaScripts.run(redis, LuaScripts.ADVANCE, LuaScripts.ADVANCE_SHA, keys,
              args.toArray(new byte[0][]))
          .flatMap(reply -> (Long) reply.get(0) == -1
              ? resync()
              : reconcile(currentOf(reply), depth + 1));
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Reading Redis

  /** Runs the SYNC script: seeds Redis with {@code local} (new epoch) if Redis has no store. */
  private Mono<Current<S>> syncScript(Snapshot<S> local) {
    return Mono.defer(() -> {
      Object cause = local.cause();
      String fresh = newId();
      roundTrips.increment();
      return LuaScripts.run(redis, LuaScripts.SYNC, LuaScripts.SYNC_SHA, keys,
              LuaScripts.bytes(local.version()), encode(local.state()),
              LuaScripts.bytes(local.timestampMillis()), maxLength,
              LuaScripts.bytes(cause == null ? "0" : "1"),
              cause == null ? new byte[0] : CauseJson.encode(cause), LuaScripts.bytes(fresh))
          .map(reply -> (Long) reply.get(0) == 1
              ? new Current<>(Snapshot.of(local.version(), local.state(), local.cause(),
                  local.timestampMillis(), fresh), fresh, true)
              : currentOf(reply));
    });
  }

  /** Decodes {kind, version, state, timestamp, hasCause, cause, epoch}. */
  private Current<S> currentOf(List<Object> reply) {
    long version = (Long) reply.get(1);
    noteSeen(version);
    byte[] bytes = (byte[]) reply.get(2);
    noteSize(bytes.length);
    S state = decode(bytes, version);
    long timestamp = Long.parseLong(text((byte[]) reply.get(3)));
    Object cause = "1".equals(text((byte[]) reply.get(4)))
        ? CauseJson.decode((byte[]) reply.get(5)) : null;
    String e = text((byte[]) reply.get(6));
    return new Current<>(
        Snapshot.of(version, state, cause, timestamp == 0 ? clock.millis() : timestamp, e),
        e, false);
  }

  /** The snapshot of a stream entry; a patch entry applies to the replica's snapshot. */
  private Snapshot<S> snapshotOf(long version, Map<String, byte[]> body) {
    return snapshotOf(version, body, replica.snapshot());
  }

  /**
   * The snapshot of a stream entry: its full state ({@code s}) or its patch ({@code d}) applied
   * to {@code base}, which must be the previous version of the entry's epoch.
   *
   * @throws UndecodableStateException if the state cannot be decoded, or the entry is a patch
   *     and {@code base} is not the version before it (the caller then reads the full state)
   */
  private Snapshot<S> snapshotOf(
      long version, Map<String, byte[]> body, @Nullable Snapshot<S> base) {
    byte[] t = body.get("t");
    byte[] c = body.get("c");
    byte[] w = body.get("w");
    byte[] e = body.get("e");
    byte[] s = body.get("s");
    S state;
    if (s != null) {
      noteSize(s.length);
      state = decode(s, version);
    } else {
      byte[] d = Objects.requireNonNull(body.get("d"), "entry without s or d");
      String entryEpoch = e == null ? epoch : text(e);
      if (base == null || base.version() != version - 1 || !entryEpoch.equals(base.epoch())) {
        throw new UndecodableStateException(name, "store '" + name + "': stream entry " + version
            + " is a patch of version " + (version - 1) + " of epoch " + entryEpoch
            + ", which this instance does not hold", null);
      }
      byte[] bytes;
      try {
        bytes = StatePatches.apply(encode(base.state()), d);
      } catch (RuntimeException x) {
        throw new UndecodableStateException(name, "store '" + name + "': the patch of stream "
            + "entry " + version + " does not apply to version " + (version - 1) + ": " + x, x);
      }
      state = decode(bytes, version);
    }
    // This instance's own write: its snapshot carries the caller's cause object.
    Object own = w == null ? null : ownCauses.get(text(w));
    return Snapshot.of(version, state,
        own != null ? own : c == null ? null : CauseJson.decode(c),
        t == null ? clock.millis() : Long.parseLong(text(t)), e == null ? epoch : text(e));
  }

  private static long versionOf(StreamMessage<String, byte[]> entry) {
    String id = entry.getId();
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Racy max, see {@link #newestSeen}. */
  private void noteSeen(long version) {
    if (version > newestSeen) {
      newestSeen = version;
    }
  }

  private void noteSize(long bytes) {
    if (bytes > largestEntry) {
      largestEntry = bytes;
    }
  }

  /** Entries per catch-up read: about catchUpBytes of states, at least one, at most BATCH. */
  int pageSize() {
    return (int) Math.max(1, Math.min(BATCH, catchUpBytes / Math.max(1, largestEntry)));
  }

  private byte[] encode(S state) {
    try {
      return codec.encode(state);
    } catch (IOException e) {
      throw new StoreException(name, "store '" + name + "' cannot encode its state with " + codec, e);
    }
  }

  private S decode(byte[] bytes, long version) {
    try {
      return codec.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new UndecodableStateException(name, "store '" + name + "' cannot decode version " + version
          + " in Redis with " + codec + " (an incompatible codec or state type on another "
          + "instance?): " + e.getMessage(), e);
    }
  }

  /** A state in Redis that this instance's codec cannot read. */
  static final class UndecodableStateException extends StoreException {
    private static final long serialVersionUID = 1L;

    UndecodableStateException(String storeName, String message, Throwable cause) {
      super(storeName, message, cause);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The follower thread

  private void follow() {
    long markAtRead = ownCommitMark;
    while (!closed.get()) {
      try {
        if (ownCommitMark != markAtRead) {
          pauseWhileOwnCommitsFlow();
        }
        if (resyncNeeded) {
          resyncNeeded = false;
          // Re-seeds Redis if it came back without the store and reconciles histories; the
          // XREAD below then catches up from the replica's version, gap-free while the stream
          // holds the entries.
          Objects.requireNonNull(resync().block(writeTimeout));
          resyncs.increment();
        }
        if (historySize > 1) {
          backfill();
        }
        markAtRead = ownCommitMark;
        foreignWrites = false;
        long known = replica.snapshot().version();
        long stuck = stuckAt;
        List<StreamMessage<String, byte[]>> batch = RedisConnector.sync(follower).xread(
            XReadArgs.Builder.block(pollTimeout).count(pageSize()),
            XReadArgs.StreamOffset.from(streamKey, Math.max(known, stuck) + "-0"));
        if (resyncNeeded) {
          // A reconnection happened meanwhile (Lettuce resends a blocked XREAD): Redis may hold
          // another history now; reconcile before taking any entry from it.
          continue;
        }
        if (stuck < 0) {
          up();
        }
        if (!batch.isEmpty()) {
          noteSeen(versionOf(batch.get(batch.size() - 1)));
        }
        for (StreamMessage<String, byte[]> entry : batch) {
          if (!follow(entry)) {
            break;
          }
        }
      } catch (StoreClosedException e) {
        return;
      } catch (Throwable e) {
        // Errors too: a follower that dies silently leaves a replica that looks current.
        if (closed.get()) {
          return;
        }
        down(e);
        resyncNeeded = true;
        LockSupport.parkNanos(reconnectDelay.toNanos());
      }
    }
  }

  /**
   * Waits while this instance's own commits keep coming (one at least every followerPause) and
   * find nothing committed elsewhere before them: an XREAD now would only return them. Ends at
   * once on close, a resync to do, a stuck state, or a writer that saw another instance's
   * commit (wakeFollower).
   */
  private void pauseWhileOwnCommitsFlow() {
    if (followerPauseNanos == 0) {
      return;
    }
    long mark = ownCommitMark;
    while (!closed.get() && !resyncNeeded && stuckAt < 0 && !foreignWrites) {
      LockSupport.parkNanos(this, followerPauseNanos);
      long now = ownCommitMark;
      if (now == mark) {
        return;
      }
      mark = now;
    }
  }

  /** A writer saw a version committed elsewhere: the follower reads the stream now. */
  private void wakeFollower() {
    if (followerPauseNanos > 0 && !foreignWrites) {
      foreignWrites = true;
      LockSupport.unpark(followerThread);
    }
  }

  /** Handles one entry; false when the rest of the batch must be dropped. */
  private boolean follow(StreamMessage<String, byte[]> entry) {
    long v = versionOf(entry);
    long known = replica.snapshot().version();
    if (v <= known) {
      return true;
    }
    if (!ofThisHistory(entry)) {
      resyncNeeded = true;
      return false;
    }
    if (v == known + 1) {
      try {
        advanceReplica(snapshotOf(v, entry.getBody()));
        noteHead(v, entry.getBody().get("w"));
        return true;
      } catch (UndecodableStateException e) {
        LOG.error("store '{}': skipping undecodable stream entry {}: {}", name, entry.getId(),
            e.getMessage());
        lastError = "undecodable stream entry " + entry.getId() + " skipped: " + e.getMessage();
      }
    }
    // Entries missing (trimmed) or undecodable: jump to Redis's state, a visible resync.
    try {
      Snapshot<S> current = Objects.requireNonNull(resync().block(writeTimeout));
      resyncs.increment();
      advanceQuietly(current);
      if (stuckAt >= 0) {
        stuckAt = -1;
        up();
      }
    } catch (UndecodableStateException e) {
      // Redis's state itself is unreadable: stay down naming it; wait for a newer entry.
      long redisVersion = Math.max(v, stuckAt);
      stuckAt = redisVersion;
      down(e.getMessage());
    }
    return false;
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
        reconnects.increment();
        resyncNeeded = true;
      }
    }
  }

  /**
   * Whether {@code e} may be a lost connection or a lost reply (so resending is the way on):
   * anything but an error reply from Redis (LOADING and BUSY excepted) or our own exceptions.
   */
  private static boolean isTransportError(Throwable e) {
    if (e instanceof RedisCommandExecutionException && isRedirectOrClusterBusy(e.getMessage())) {
      return true;
    }
    if (e instanceof StoreException || e instanceof IllegalArgumentException
        || e instanceof NullPointerException || e instanceof ClassCastException) {
      return false;
    }
    return !(e instanceof RedisCommandExecutionException)
        || e instanceof RedisLoadingException || e instanceof RedisBusyException;
  }

  /**
   * Error replies that say the command was not run here, now, and may run after a retry: a
   * redirection the cluster client did not follow, a slot being migrated (TRYAGAIN), a cluster
   * without a master for a slot during a failover (CLUSTERDOWN), a demoted master (READONLY),
   * a replica that lost its master (MASTERDOWN).
   */
  private static boolean isRedirectOrClusterBusy(@Nullable String message) {
    if (message == null) {
      return false;
    }
    for (String code : new String[] {
        "MOVED ", "ASK ", "TRYAGAIN", "CLUSTERDOWN", "READONLY", "MASTERDOWN"}) {
      if (message.startsWith(code)) {
        return true;
      }
    }
    return false;
  }

  /** Lettuce refused to send the command: the connection is down and commands are rejected. */
  private static boolean isRejected(Throwable e) {
    String m = e.getMessage();
    return m != null && m.contains("Commands are rejected");
  }

  // ---------------------------------------------------------------------------------------------
  // Health, subscribers, lifecycle

  /**
   * Whether this instance is connected to Redis and following its stream. While it is not,
   * reads serve the last known snapshot and writes fail after the write timeout (or at once,
   * naming the version, when Redis's state cannot be decoded).
   */
  public boolean isConnected() {
    return following && stuckAt < 0 && followerThread.isAlive() && commands.isOpen()
        && follower.isOpen() && !closed.get();
  }

  /**
   * The connection status, the replica's version and the last Redis error: a state this instance
   * cannot decode shows as not connected, the error naming its version.
   */
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
    return pipeline.stats(r.version(), r.subscribers(), r.losslessSubscribers(),
        r.maxLosslessLag(), r.lagOverflows());
  }

  /**
   * What this instance has done with Redis since it was built: round trips, retries, resends,
   * reconnects, resyncs, write timeouts, unknown outcomes, under-replicated writes and the stream
   * lag (see {@link RedisStats}). Wait-free apart from summing the counters; never touches the network.
   *
   * @return the counters now
   */
  public RedisStats redisStats() {
    return new RedisStats(roundTrips.sum(), stats().casRetries(), resends.sum(), reconnects.sum(),
        resyncs.sum(), writeTimeouts.sum(), outcomesUnknown.sum(), underReplicated.sum(),
        Math.max(0, newestSeen - replica.snapshot().version()));
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
    control.closeAsync();
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
      throw new StoreException(name, "store '" + name + "': write failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(name, "store '" + name + "': interrupted while waiting for Redis", e);
    }
  }

  @Override
  public String toString() {
    return "RedisStore{name=" + name + ", version=" + replica.snapshot().version()
        + (isConnected() ? "" : ", disconnected") + (closed.get() ? ", closed" : "") + "}";
  }
}
