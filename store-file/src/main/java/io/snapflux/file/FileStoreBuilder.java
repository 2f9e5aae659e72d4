package io.snapflux.file;

import io.snapflux.store.Backend;
import io.snapflux.store.StateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.snapflux.store.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds a {@link FileStore}. Obtain one with {@link FileStore#builder(Object, StateCodec)}, or
 * with {@link FileStore#builder(StoreBuilder, StateCodec)} to keep the options of an in-memory
 * store builder (validators, interceptors, equivalence, history, clock, delivery).
 *
 * <p>A builder is not thread-safe; a built store is.
 *
 * @param <S> the type of the state
 */
public final class FileStoreBuilder<S> {

  /** The default flush interval of {@link Durability#ASYNC}. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);

  /** The default {@linkplain #stallTimeout(Duration) stall timeout}. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(5);

  /** The default journal size that triggers a compaction into the snapshot file. */
  public static final long DEFAULT_COMPACTION_THRESHOLD = 16L << 20;

  private static final ObjectMapper TREE_MAPPER = new JsonMapper();

  final StoreBuilder<S> options;
  final StateCodec<S> codec;
  /** Whether {@link #options} came from the caller, and with it the default name. */
  private final boolean namedByOptions;
  @Nullable Path directory;
  @Nullable String name;
  Durability durability = Durability.SYNC;
  Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
  @Nullable Duration stallTimeout;
  boolean restartFromSnapshot;
  /** The file system; tests substitute a simulated disk. */
  Storage storage = Storage.DEFAULT;
  /** The journal's clock; tests substitute a manual one. */
  java.util.function.LongSupplier nanoTime = System::nanoTime;
  long compactionThreshold = DEFAULT_COMPACTION_THRESHOLD;
  int schemaVersion = 1;
  final TreeMap<Integer, UnaryOperator<byte[]>> migrations = new TreeMap<>();
  Consumer<? super StoreBuilder<S>> storeOptions = b -> {};

  FileStoreBuilder(S initial, StateCodec<S> codec) {
    this(Store.builder(initial), codec, false);
  }

  FileStoreBuilder(StoreBuilder<S> options, StateCodec<S> codec, boolean namedByOptions) {
    this.options = Objects.requireNonNull(options, "options");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.namedByOptions = namedByOptions;
  }

  /**
   * The directory holding this store's files (created if missing). One store per directory: a
   * second store opening it, in this or another process, fails. Required.
   *
   * @param directory the store's own directory
   * @return this builder
   */
  public FileStoreBuilder<S> directory(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /**
   * Names the store (error messages, metrics, logs, the journal thread). Defaults to the name of
   * the {@link StoreBuilder} the builder was created from, or else to the directory's file name.
   *
   * @param name a non-blank name
   * @return this builder
   */
  public FileStoreBuilder<S> name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a store name must not be blank");
    }
    this.name = name;
    return this;
  }

  /**
   * When updates are acknowledged. Defaults to {@link Durability#SYNC}.
   *
   * @param durability sync or async
   * @return this builder
   */
  public FileStoreBuilder<S> durability(Durability durability) {
    this.durability = Objects.requireNonNull(durability, "durability");
    return this;
  }

  /**
   * With {@link Durability#ASYNC}, the longest time from a commit to the start of the write and
   * fsync that makes it durable; the journal starts a flush at most once per interval, counted
   * from the start of the previous one, and writes only the newest version. So a version is
   * durable at most one interval plus one write and fsync after its commit (as long as a write
   * and fsync take less than the interval), and a crash loses at most the versions committed
   * in that window. Defaults to 100 ms. Ignored with {@link Durability#SYNC}.
   *
   * @param interval positive
   * @return this builder
   */
  public FileStoreBuilder<S> flushInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("flushInterval must be positive, was " + interval);
    }
    this.flushInterval = interval;
    return this;
  }

  /**
   * How long a committed version may wait for the write and fsync that make it durable before
   * the journal counts as <i>stalled</i> (a hung or very slow disk). While it is stalled, update
   * methods fail at once with a {@link FileStoreException} and commit nothing, and {@link
   * JournalStats#stalled()} is {@code true}; with {@link Durability#ASYNC} this bounds the loss
   * of a crash during a stall to the versions committed within this time. A {@link
   * Durability#SYNC} update already waiting for the disk waits at most this long, then fails
   * saying that its version is committed but not visible, and becomes visible only if the disk
   * catches up. Updates resume by themselves once it does. Defaults to 5 s, plus the flush
   * interval with {@link Durability#ASYNC}; must be longer than the flush interval.
   *
   * @param timeout positive
   * @return this builder
   */
  public FileStoreBuilder<S> stallTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("stallTimeout must be positive, was " + timeout);
    }
    this.stallTimeout = timeout;
    return this;
  }

  /**
   * Lets the store open from {@code snapshot.dat} alone when {@code journal.log} is missing or
   * its header is damaged, instead of refusing with a {@link CorruptStoreException}. The
   * versions the journal held after the snapshot are lost, so the store gets a new {@linkplain
   * FileStore#epoch() epoch}; a damaged journal is kept as {@code journal.log.corrupt-<millis>}.
   * An operator's decision after inspecting the files: build with it once, then without.
   *
   * @return this builder
   */
  public FileStoreBuilder<S> restartFromSnapshot() {
    this.restartFromSnapshot = true;
    return this;
  }

  /**
   * The journal size, in bytes, past which the journal thread writes the newest durable version
   * to the snapshot file and starts an empty journal. Defaults to 16 MiB.
   *
   * @param bytes at least 1
   * @return this builder
   */
  public FileStoreBuilder<S> compactionThreshold(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("compactionThreshold must be positive, was " + bytes);
    }
    this.compactionThreshold = bytes;
    return this;
  }

  /**
   * The version of the state's shape this application reads and writes, recorded in the header
   * of every file. Raise it whenever the encoded form of the state changes incompatibly, and
   * register a {@linkplain #migration(int, UnaryOperator) migration} from the previous one.
   * Defaults to 1.
   *
   * @param version at least 1
   * @return this builder
   */
  public FileStoreBuilder<S> schemaVersion(int version) {
    if (version < 1) {
      throw new IllegalArgumentException("schemaVersion must be >= 1, was " + version);
    }
    this.schemaVersion = version;
    return this;
  }

  /**
   * Registers the step that turns a state encoded with schema version {@code fromSchemaVersion}
   * into its encoding with {@code fromSchemaVersion + 1}. On open, a state written with an older
   * schema passes through each step in turn, then is decoded and immediately rewritten with the
   * current schema version. The function must be pure.
   *
   * @param fromSchemaVersion the schema version the step reads, at least 1
   * @param step from the old encoding to the next one
   * @return this builder
   */
  public FileStoreBuilder<S> migration(int fromSchemaVersion, UnaryOperator<byte[]> step) {
    if (fromSchemaVersion < 1) {
      throw new IllegalArgumentException(
          "fromSchemaVersion must be >= 1, was " + fromSchemaVersion);
    }
    migrations.put(fromSchemaVersion, Objects.requireNonNull(step, "step"));
    return this;
  }

  /**
   * Like {@link #migration(int, UnaryOperator)} for JSON states (the default codec): the step
   * receives the JSON tree of the old state and returns the tree of the next schema version (it
   * may modify and return its argument).
   *
   * @param fromSchemaVersion the schema version the step reads, at least 1
   * @param step from the old JSON tree to the next one
   * @return this builder
   */
  public FileStoreBuilder<S> jsonMigration(int fromSchemaVersion, UnaryOperator<JsonNode> step) {
    Objects.requireNonNull(step, "step");
    return migration(fromSchemaVersion, bytes -> {
      try {
        return TREE_MAPPER.writeValueAsBytes(step.apply(TREE_MAPPER.readTree(bytes)));
      } catch (JacksonException e) {
        throw new UncheckedIOException(
            "JSON migration from schema version " + fromSchemaVersion + " failed",
            new IOException(e.getMessage(), e));
      }
    });
  }

  /**
   * Options of the in-memory store underneath: validators, equivalence, backoff, delivery
   * scheduler, clock, history, interceptors. Applied on {@link #build()} to the {@link
   * StoreBuilder} this builder was created from (or to a new one), after that builder's own
   * options. The initial state, name and initial version are set by the file store and must not
   * be changed here. Several calls add up, applied in the order made.
   *
   * @param options applied to the in-memory store's builder
   * @return this builder
   */
  public FileStoreBuilder<S> storeOptions(Consumer<? super StoreBuilder<S>> options) {
    Objects.requireNonNull(options, "options");
    Consumer<? super StoreBuilder<S>> earlier = storeOptions;
    // Calls add up, in order: a later call must not silently drop an earlier one's options.
    this.storeOptions = b -> {
      earlier.accept(b);
      options.accept(b);
    };
    return this;
  }

  /**
   * Opens the directory, recovers the newest valid version (or starts at version 0 with the
   * initial state if the directory holds no store), and returns the store at that version.
   * Blocks for a few file operations and fsyncs.
   *
   * @return the store
   * @throws CorruptStoreException if the files are damaged beyond automatic recovery
   * @throws FileStoreException if the directory cannot be used or a state cannot be decoded or
   *     migrated
   */
  public FileStore<S> build() {
    if (directory == null) {
      throw new IllegalStateException("a FileStore needs a directory: call directory(path)");
    }
    if (durability == Durability.ASYNC && stallTimeout != null
        && stallTimeout.compareTo(flushInterval) <= 0) {
      throw new IllegalStateException("stallTimeout (" + stallTimeout + ") must be longer than "
          + "flushInterval (" + flushInterval + ")");
    }
    storeOptions.accept(options);
    // The file store receives the options as every backend does: through the Backend SPI.
    return (FileStore<S>) options.backend(Backend.typed(this::open)).build();
  }

  /** Opens the store with {@code storeOptions}, the options every backend receives. */
  FileStore<S> open(StoreOptions<S> storeOptions) {
    if (directory == null) {
      throw new IllegalStateException("a FileStore needs a directory: call directory(path)");
    }
    return JournaledStore.open(this, storeOptions);
  }

  Duration resolvedStallTimeout() {
    if (stallTimeout != null) {
      return stallTimeout;
    }
    return durability == Durability.ASYNC
        ? DEFAULT_STALL_TIMEOUT.plus(flushInterval) : DEFAULT_STALL_TIMEOUT;
  }

  String resolvedName(StoreOptions<S> storeOptions) {
    if (name != null) {
      return name;
    }
    if (namedByOptions) {
      return storeOptions.name();
    }
    Path dir = Objects.requireNonNull(directory);
    Path fileName = dir.toAbsolutePath().normalize().getFileName();
    return fileName == null ? "file-store" : fileName.toString();
  }
}
