package io.snapflux.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.snapflux.store.CommitRules;
import io.snapflux.store.Equivalence;
import io.snapflux.store.Interceptor;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.snapflux.store.StoreOptions;
import io.snapflux.store.Backend;
import java.util.function.Consumer;
import io.snapflux.store.TypeRef;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Builds a {@link RedisStore}. Obtain one with {@link RedisStore#builder(String, Object)}; give it
 * a connection ({@link #client(RedisClient)} or {@link #uri(RedisURI)}) and a codec ({@link
 * #type(TypeRef)} or {@link #type(Class)} for JSON of the declared state type, or {@link
 * #codec(StateCodec)}).
 *
 * <p>The application's commit rules come from {@link #validator(String, Predicate)}, {@link
 * #interceptor(Interceptor)}, {@link #rules(CommitRules)} or, with equivalence and clock too,
 * {@link #options(StoreBuilder)}: the in-memory builder an application (or the Spring starter's
 * customizer) already configured.
 *
 * <p>A builder is not thread-safe; a built store is.
 *
 * @param <S> the type of the state
 */
public final class RedisStoreBuilder<S> {

  final String name;
  final S initial;
  @Nullable RedisClient client;
  @Nullable RedisURI uri;
  @Nullable RedisClusterClient clusterClient;
  @Nullable List<RedisURI> clusterUris;
  int replicaAcks;
  Duration replicaAckTimeout = Duration.ofSeconds(1);
  @Nullable StateCodec<S> codec;
  /**
   * The store options given with {@link #options(StoreBuilder)}, or null for a new builder: the
   * store receives its options from it through the Backend SPI, as every backend does.
   */
  private @Nullable StoreBuilder<S> base;
  /** What this builder's own setters configure, applied to the store builder after {@link #base}. */
  private Consumer<StoreBuilder<S>> own = b -> {};
  Duration writeTimeout = Duration.ofSeconds(5);
  long streamMaxLength = 1_000;
  long writeIdRetention = 10_000;
  long catchUpBytes = 8L << 20;
  long deltaThreshold = 16L << 10;
  int fullEvery = 16;
  Duration pollTimeout = Duration.ofSeconds(1);
  Duration reconnectDelay = Duration.ofMillis(200);
  Duration followerPause = Duration.ofMillis(1);
  boolean queueWrites = true;
  Scheduler deliveryScheduler = Schedulers.boundedElastic();

  RedisStoreBuilder(String name, S initial) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
      throw new IllegalArgumentException(
          "a Redis store name must be non-blank and free of '{' and '}' (it is the keys' hash "
              + "tag), was '" + name + "'");
    }
    this.name = name;
    this.initial = Objects.requireNonNull(initial, "the initial state of a store is never null");
  }

  private RedisStoreBuilder<S> own(Consumer<StoreBuilder<S>> step) {
    Consumer<StoreBuilder<S>> earlier = own;
    this.own = b -> {
      earlier.accept(b);
      step.accept(b);
    };
    return this;
  }

  /**
   * Connects through {@code client}, which the application owns: {@link RedisStore#close()}
   * closes the store's connections, not the client. For fast failure while Redis is down, give
   * the client {@code ClientOptions.disconnectedBehavior(REJECT_COMMANDS)}; with the default
   * (queue while disconnected), writes still fail after the write timeout.
   *
   * @param client a Lettuce client
   * @return this builder
   */
  public RedisStoreBuilder<S> client(RedisClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.uri = null;
    this.clusterClient = null;
    this.clusterUris = null;
    return this;
  }

  /**
   * Connects to {@code uri} with a client of the store's own, closed by {@link
   * RedisStore#close()}; it rejects commands while disconnected, so writes to an unreachable
   * Redis fail fast (after retrying until the write timeout).
   *
   * @param uri where Redis is
   * @return this builder
   */
  public RedisStoreBuilder<S> uri(RedisURI uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.client = null;
    this.clusterClient = null;
    this.clusterUris = null;
    return this;
  }

  /**
   * Connects to a Redis Cluster through {@code client}, which the application owns (not closed
   * by {@link RedisStore#close()}). The store's keys share the hash tag {@code {name}}, so they
   * live on one slot; stores with different names spread over the masters. Give the client
   * {@code RedisStore.clusterClientOptions()} (or options like them): commands rejected while
   * a node is disconnected and adaptive plus periodic topology refresh, or a master's failover
   * is noticed late (after Lettuce's default periodic refresh, which is off).
   *
   * @param client a Lettuce cluster client
   * @return this builder
   */
  public RedisStoreBuilder<S> cluster(RedisClusterClient client) {
    this.clusterClient = Objects.requireNonNull(client, "client");
    this.client = null;
    this.uri = null;
    this.clusterUris = null;
    return this;
  }

  /**
   * Connects to the Redis Cluster that {@code seeds} belong to (any of its nodes; the client
   * discovers the rest) with a cluster client of the store's own, closed by {@link
   * RedisStore#close()}, configured by {@link RedisStore#clusterClientOptions()}.
   *
   * @param seeds one or more nodes of the cluster
   * @return this builder
   * @throws IllegalArgumentException if {@code seeds} is empty
   */
  public RedisStoreBuilder<S> cluster(Iterable<RedisURI> seeds) {
    List<RedisURI> list = new ArrayList<>();
    Objects.requireNonNull(seeds, "seeds").forEach(u -> list.add(Objects.requireNonNull(u, "seed")));
    if (list.isEmpty()) {
      throw new IllegalArgumentException("a Redis Cluster needs at least one seed node");
    }
    this.clusterUris = List.copyOf(list);
    this.client = null;
    this.uri = null;
    this.clusterClient = null;
    return this;
  }

  /**
   * Acknowledges a write only after {@code replicas} replicas of the Redis master have it:
   * {@code WAIT replicas timeout} runs right after each COMMIT, on the same connection. If fewer
   * confirm within {@code timeout}, the write still committed (Redis does not roll back) and
   * fails with {@link ReplicaAcknowledgementException} carrying its version; it is in the
   * replica, subscribers see it, {@code afterCommit} ran. {@code 0} (the default) acknowledges
   * as soon as the master replied. WAIT makes a loss on failover unlikely, not impossible
   * (Redis replication stays asynchronous: a replica that acknowledged may still not be the one
   * promoted); see the durability table in docs/redis.md. Each write holds its connection for
   * the replication round trip, so writes of one instance queue behind it.
   *
   * @param replicas how many replicas must confirm, at least 0
   * @param timeout how long WAIT waits for them, positive (keep it below the write timeout)
   * @return this builder
   */
  public RedisStoreBuilder<S> replicaAcks(int replicas, Duration timeout) {
    if (replicas < 0) {
      throw new IllegalArgumentException("replicaAcks must be >= 0, was " + replicas);
    }
    this.replicaAckTimeout = positive(timeout, "replica acknowledgement timeout");
    this.replicaAcks = replicas;
    return this;
  }

  /**
   * Stores the state as JSON of {@code type} ({@link JsonStateCodec}, Vavr collections included).
   *
   * @param type the state type
   * @return this builder
   */
  public RedisStoreBuilder<S> type(Class<S> type) {
    return type(TypeRef.of(Objects.requireNonNull(type, "type")));
  }

  /**
   * Stores the state as JSON of the declared {@code type}, generics included ({@link
   * JsonStateCodec}, Vavr collections included): {@code type(new TypeRef<List<Todo>>() {})}. Give
   * the declared type, never the runtime class of the initial state (a {@code List.empty()} is a
   * {@code List$Nil}, which no later state is).
   *
   * @param type the declared state type
   * @return this builder
   * @throws IllegalArgumentException if the initial state is not an instance of {@code type}
   */
  public RedisStoreBuilder<S> type(TypeRef<S> type) {
    Objects.requireNonNull(type, "type").requireInstance(initial);
    this.codec = JsonStateCodec.of(type);
    return this;
  }

  /**
   * How states are turned into bytes for Redis; every instance sharing the store must use a
   * compatible codec.
   *
   * @param codec the codec
   * @return this builder
   */
  public RedisStoreBuilder<S> codec(StateCodec<S> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    return this;
  }

  /**
   * Adds a validator: every state this instance is about to commit must satisfy {@code check},
   * or the update fails with a {@link StateValidationException} and nothing is committed.
   * Validators run in this JVM, once per attempt, before the attempt's compare-and-set in Redis;
   * states committed by other instances are not re-validated (give every instance the same
   * rules).
   *
   * @param description what the validator requires
   * @param check the pure condition
   * @return this builder
   */
  public RedisStoreBuilder<S> validator(String description, Predicate<? super S> check) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(check, "check");
    return own(b -> b.validator(description, check));
  }

  /**
   * Adds an interceptor, run after the validators. {@link Interceptor#beforeCommit} runs once per
   * attempt before the attempt's compare-and-set in Redis (throw to veto: the update fails with
   * that exception and nothing is committed); {@link Interceptor#afterCommit} runs once per
   * version this instance commits, after Redis confirmed it and the local replica has it, before
   * the write completes. Versions committed by other instances run their own interceptors, not
   * this one's. Both callbacks may run on a Lettuce I/O thread: they must be quick and must not
   * block.
   *
   * @param interceptor the interceptor
   * @return this builder
   */
  public RedisStoreBuilder<S> interceptor(Interceptor<S> interceptor) {
    Objects.requireNonNull(interceptor, "interceptor");
    return own(b -> b.interceptor(interceptor));
  }

  /**
   * Adds {@code rules}' validators and then its interceptors, after those already added.
   *
   * @param rules the rules, e.g. {@link io.snapflux.store.StoreOptions#rules()}
   * @return this builder
   * @see #validator(String, Predicate)
   * @see #interceptor(Interceptor)
   */
  public RedisStoreBuilder<S> rules(CommitRules<S> rules) {
    Objects.requireNonNull(rules, "rules");
    return own(b -> {
      rules.validators().forEach(v -> b.validator(v.description(), v.check()));
      rules.interceptors().forEach(b::interceptor);
    });
  }

  /**
   * Builds the store with what an application configured on an in-memory {@link StoreBuilder}:
   * its validators and interceptors (before those added on this builder), its equivalence and
   * its clock; the store receives them as {@link io.snapflux.store.StoreOptions}, like every
   * backend. {@code options} is used, not copied: {@link #build()} names it with this builder's
   * name and sets its backend. Its history size is used (see {@link #history(int)}). Not used:
   * the backoff (see {@link RedisStore}) and
   * the delivery scheduler (a Redis store delivers on {@link #deliverOn(Scheduler)},
   * bounded-elastic by default).
   *
   * @param options a configured in-memory builder, e.g. the Spring starter's {@code
   *     StoreDefinition.builder()}
   * @return this builder
   */
  public RedisStoreBuilder<S> options(StoreBuilder<S> options) {
    this.base = Objects.requireNonNull(options, "options");
    return this;
  }

  /**
   * Keeps the last {@code size} versions as the store's {@linkplain RedisStore#history() history
   * capability}: each instance holds them (filled from the stream at start-up and after a jump,
   * then kept as the follower advances: at most {@code size} decoded states in memory), and undo
   * and redo are new commits through the same compare-and-set, derived from the causes in the
   * shared history, so every instance undoes the same change. 0 (the default) keeps none: {@code
   * history()} is empty. The stream must keep at least as many entries ({@link
   * #streamMaxLength(long)}) for a starting instance to find them.
   *
   * @param size the number of versions kept, at least 0
   * @return this builder
   * @throws IllegalArgumentException if {@code size} is negative
   */
  public RedisStoreBuilder<S> history(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("history size must be >= 0, was " + size);
    }
    return own(b -> b.history(size));
  }

  /**
   * How an update's result is compared with the current state to detect "no change". Defaults to
   * {@link Equivalence#identity()}.
   *
   * @param equivalence the policy
   * @return this builder
   */
  public RedisStoreBuilder<S> equivalence(Equivalence<S> equivalence) {
    Objects.requireNonNull(equivalence, "equivalence");
    return own(b -> b.equivalence(equivalence));
  }

  /**
   * How long a write may take, conflict retries and reconnection waits included, before it fails
   * with {@link StoreUnavailableException}. If a commit may have reached Redis by then, the
   * store asks Redis whether it did (for at most this long again): so a write fails within twice
   * this. Defaults to 5 seconds.
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public RedisStoreBuilder<S> writeTimeout(Duration timeout) {
    this.writeTimeout = positive(timeout, "writeTimeout");
    return this;
  }

  /**
   * The approximate number of changes the stream keeps ({@code XADD MAXLEN ~ n}); a replica
   * that falls further behind (e.g. during an outage) resyncs from the state, visibly to its
   * lossless subscribers. Defaults to 1,000.
   *
   * @param maxLength at least 1
   * @return this builder
   */
  public RedisStoreBuilder<S> streamMaxLength(long maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("streamMaxLength must be >= 1, was " + maxLength);
    }
    this.streamMaxLength = maxLength;
    return this;
  }

  /**
   * For how many versions Redis keeps the ids of committed writes ({@code snapflux:{n}:writes}),
   * so that a resent or settled write is recognised whatever the stream trimming did. A write
   * older than that gets {@link CommitStatus.Unknown} from {@link RedisStore#commitStatus}.
   * Size it to cover what all instances commit to the store while one write may stay in doubt
   * (the write timeout, then the status check's): a write whose reply is lost while more versions
   * than this are committed elsewhere cannot be settled, and fails with {@link
   * CommitOutcomeUnknownException} for good. One instance commits up to about one version per
   * round trip (its writes take turns), e.g. 10,000 a second on loopback.
   * Costs about 130 bytes of Redis memory per version (1.3 MB for 10,000, by {@code MEMORY
   * USAGE}). Defaults to 10,000.
   *
   * @param versions at least 1
   * @return this builder
   */
  public RedisStoreBuilder<S> writeIdRetention(long versions) {
    if (versions < 1) {
      throw new IllegalArgumentException("writeIdRetention must be >= 1, was " + versions);
    }
    this.writeIdRetention = versions;
    return this;
  }

  /**
   * About how many bytes of states one catch-up read (the follower's {@code XREAD}, a writer's
   * {@code XRANGE}) may return: the count per read is this divided by the largest state seen (at
   * least one entry, at most 512). Bounds the memory a catching-up instance needs to about this
   * plus one state. Defaults to 8 MiB.
   *
   * @param bytes at least 1
   * @return this builder
   */
  public RedisStoreBuilder<S> catchUpBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("catchUpBytes must be >= 1, was " + bytes);
    }
    this.catchUpBytes = bytes;
    return this;
  }

  /**
   * When a stream entry carries a JSON Patch (RFC 6902) from the previous version instead of the
   * full state: when the encoded state has at least {@code thresholdBytes}, the patch is at most
   * half the state's size, and the version is not a multiple of {@code fullEvery} (those entries
   * always carry the full state, so a reader starting in the middle of the stream finds one
   * within {@code fullEvery} entries). A follower applies a patch only to its replica's state at
   * exactly the previous version of the same history epoch; otherwise it reads the full state
   * (a resync). The state key always holds the full state. Needs a codec that writes JSON (the
   * default); with another codec every entry carries the full state. Defaults: 16 KiB, every 16th
   * version full. See docs/redis.md for the memory per version.
   *
   * @param thresholdBytes the smallest encoded state written as a patch; 0 never writes patches
   * @param fullEvery every how many versions an entry carries the full state anyway, at least 1
   * @return this builder
   * @throws IllegalArgumentException if {@code thresholdBytes} is negative or {@code fullEvery}
   *     is below 1
   */
  public RedisStoreBuilder<S> streamDeltas(long thresholdBytes, int fullEvery) {
    if (thresholdBytes < 0) {
      throw new IllegalArgumentException("thresholdBytes must be >= 0, was " + thresholdBytes);
    }
    if (fullEvery < 1) {
      throw new IllegalArgumentException("fullEvery must be >= 1, was " + fullEvery);
    }
    this.deltaThreshold = thresholdBytes;
    this.fullEvery = fullEvery;
    return this;
  }

  /**
   * How long one {@code XREAD BLOCK} of the stream follower waits for new entries; also bounds
   * how quickly a reconnection is noticed. Defaults to 1 second.
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public RedisStoreBuilder<S> pollTimeout(Duration timeout) {
    this.pollTimeout = positive(timeout, "pollTimeout");
    return this;
  }

  /**
   * How long the stream follower waits for a pause in this instance's own commits before it reads
   * the stream again. While this instance commits and finds nothing committed elsewhere before its
   * commits, the follower's {@code XREAD BLOCK} would return only this instance's own entries,
   * each one a blocked read answered by Redis and a thread woken on the commit's path; the
   * follower skips them. Nothing is missed: a commit that finds versions committed elsewhere
   * before it installs them first (from the stream), and a conflict reply wakes the follower at
   * once. While this instance keeps writing, versions committed elsewhere reach it with its next
   * commit or conflict; after its last commit, within about twice this pause. An instance that
   * does not write is not affected. Defaults to 1 ms; {@link Duration#ZERO} follows without a
   * pause.
   *
   * @param pause zero or a positive duration
   * @return this builder
   * @throws IllegalArgumentException if {@code pause} is negative
   */
  public RedisStoreBuilder<S> followerPause(Duration pause) {
    Objects.requireNonNull(pause, "pause");
    if (pause.isNegative()) {
      throw new IllegalArgumentException("followerPause must be zero or positive, was " + pause);
    }
    this.followerPause = pause;
    return this;
  }

  /**
   * Whether this instance sends its writes to this store one at a time, in the order they were
   * made. Writes that race each other to Redis from one instance start from the same version, so
   * all but one meet a conflict and pay another round trip: with 8 threads writing one store,
   * about 1.6 retries per update, and fewer updates per second than one thread makes. In turn,
   * each write starts from the version its predecessor committed, and this instance's writes do
   * not conflict with each other (they still may with other instances'). A write waits for its
   * turn at most the {@linkplain #writeTimeout(Duration) write timeout}, then fails with {@link
   * StoreUnavailableException} without having been sent. Writes to different stores never wait
   * for each other. Defaults to {@code true}; {@code false} sends every write at once.
   *
   * <p>An update function runs within its write's turn: one that waits for another write to the
   * same store of this instance would wait for its own turn to end, and fail after the write
   * timeout. (Update functions should be pure in any case.)
   *
   * @param queue whether writes take turns
   * @return this builder
   */
  public RedisStoreBuilder<S> queueWrites(boolean queue) {
    this.queueWrites = queue;
    return this;
  }

  /**
   * The scheduler on which snapshots are delivered to subscribers. Defaults to {@link
   * Schedulers#boundedElastic()}, because a subscriber that updates the store blocks on a Redis
   * round trip, which is not allowed on Reactor's non-blocking schedulers.
   *
   * @param scheduler the delivery scheduler
   * @return this builder
   */
  public RedisStoreBuilder<S> deliverOn(Scheduler scheduler) {
    this.deliveryScheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * The clock that timestamps the snapshots this instance commits. Defaults to UTC system time.
   *
   * @param clock the clock
   * @return this builder
   */
  public RedisStoreBuilder<S> clock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return own(b -> b.clock(clock));
  }

  /**
   * Connects, seeds the store with the initial state at version 0 if Redis has none (otherwise
   * adopts the state Redis has), and starts following the stream. Blocks for the round trip.
   *
   * @return the store
   * @throws StoreUnavailableException if Redis cannot be reached within the write timeout
   * @throws StateValidationException if the initial state fails a validator
   * @throws IllegalStateException if no connection or codec was given
   */
  public RedisStore<S> build() {
    if (client == null && uri == null && clusterClient == null && clusterUris == null) {
      throw new IllegalStateException(
          "RedisStore '" + name + "' needs client(...), uri(...) or cluster(...)");
    }
    if (codec == null) {
      throw new IllegalStateException("RedisStore '" + name + "' needs type(...) or codec(...)");
    }
    StoreBuilder<S> sb = base != null ? base : Store.builder(initial);
    own.accept(sb);
    sb.name(name);
    // The store receives its options as every backend does: through the Backend SPI.
    return (RedisStore<S>) sb.backend(Backend.typed(this::open)).build();
  }

  /** Opens the store with {@code options}, the options every backend receives. */
  RedisStore<S> open(StoreOptions<S> options) {
    if (client == null && uri == null && clusterClient == null && clusterUris == null) {
      throw new IllegalStateException(
          "RedisStore '" + name + "' needs client(...), uri(...) or cluster(...)");
    }
    if (codec == null) {
      throw new IllegalStateException("RedisStore '" + name + "' needs type(...) or codec(...)");
    }
    return new RedisStore<>(this, options);
  }

  private static Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
    return d;
  }
}
