package io.snapflux.file;

import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.snapflux.store.TypeRef;
import java.nio.file.Path;
import java.util.Optional;
import reactor.core.publisher.Flux;

/**
 * A {@link Store} whose versions survive restarts and crashes: it restarts with its last durable
 * state <i>and version</i>.
 *
 * <p>Updates are those of the in-memory store: lock-free, committed by a compare-and-set on a
 * <i>pending</i> in-memory head; {@link #snapshot()} stays wait-free. A journal thread writes
 * committed versions to the store's directory. What an update waits for, and what readers see,
 * depends on the {@link Durability}:
 *
 * <ul>
 *   <li>{@link Durability#SYNC}: readers ({@link #snapshot()}, {@link #changes()}, anything
 *       derived from them such as an HTTP {@code ETag}) see only versions that are on disk: a
 *       version is published after the fsync covering it, in version order. Every snapshot
 *       returned by an update method ({@code update}, {@code compareAndSet}, {@code
 *       updateIfVersion}, {@code modify}, ...) is on disk and visible when the method returns.
 *       These methods <b>block</b> the calling thread for about one fsync, so in this mode they
 *       refuse to run on a Reactor non-blocking thread (like {@code Mono.block()} they throw
 *       {@link IllegalStateException} there); reactive code uses {@link
 *       #async()}, whose writes complete after the fsync and never block. A version whose write fails is never
 *       visible, and its update fails.
 *   <li>{@link Durability#ASYNC}: update methods return after the in-memory commit and never
 *       block, and readers see versions at once; versions reach the disk within the flush
 *       interval plus one write and fsync. {@link #async()} writes complete at the in-memory commit
 *       as well; {@link #durableChanges()} shows what is on disk. A crash can lose acknowledged versions; the reopened store then has
 *       a new {@link #epoch()}.
 * </ul>
 *
 * <p>Either way, within one {@linkplain #epoch() epoch} a version a reader saw is never later
 * replaced by another state under the same version. See {@code docs/file-backend.md} for the
 * durability table.
 *
 * <p>If versions wait for the disk longer than the {@linkplain
 * FileStoreBuilder#stallTimeout(java.time.Duration) stall timeout}, the journal is
 * <i>stalled</i>: update methods fail at once with a {@link FileStoreException} without
 * committing, {@link #journalStats()} reports it, and updates resume once the disk catches up.
 *
 * <p>A restarted store is at the last durable version exactly: its state, version, commit
 * timestamp and cause. The cause is persisted as {@code String.valueOf(cause)}, so after a restart
 * it is that string (an action object comes back as its {@code toString()}). The options of the
 * in-memory store (validators, interceptors, equivalence, history size, clock, delivery) are the
 * builder's, and apply to the restored store as to a new one; history and undo start at the
 * restored version.
 *
 * <p>If the journal fails (an {@link java.io.IOException} writing or forcing a file, a state the
 * codec cannot encode), the store stops journaling for good: waiters for durability fail, every
 * later update fails with a {@link FileStoreException} whose cause is the original failure, and
 * {@link #journalFailure()} reports it. Reads and subscriptions go on serving the last visible
 * version. Only reopening the store (after fixing the disk) makes it writable again.
 *
 * <p>{@link #close()} writes and fsyncs the final version and a close marker (so the next open
 * knows the shutdown was clean), closes the files and completes the subscribers. It blocks for
 * two fsyncs.
 *
 * @param <S> the type of the state; instances must be immutable
 */
public interface FileStore<S> extends Store<S> {

  /**
   * A builder of a file store keeping its state as {@code codec} encodes it.
   *
   * @param initial the state at version 0, used when the directory holds no store yet
   * @param codec encodes states for the files; {@code decode(encode(s))} must equal {@code s}
   * @param <S> the type of the state
   * @return a new builder
   */
  static <S> FileStoreBuilder<S> builder(S initial, StateCodec<S> codec) {
    return new FileStoreBuilder<>(initial, codec);
  }

  /**
   * The file backend, for {@link StoreBuilder#backend(io.snapflux.store.Backend)}: a store of
   * any type in {@code directory}, encoded as JSON with the store's declared {@linkplain
   * StoreBuilder#type(TypeRef) type} (unknown properties rejected: a changed state shape needs a
   * schema version). The same options as any store, taken the same way:
   *
   * <pre>{@code
   * Store<Long> counter = Store.builder(0L).name("counter")
   *     .backend(FileStore.backend(dir).durability(Durability.SYNC))
   *     .build();
   * }</pre>
   *
   * @param directory the store's own directory
   * @return a new backend configuration
   */
  static FileBackend backend(Path directory) {
    return new FileBackend(directory);
  }

  /**
   * A builder of a file store keeping its state as JSON ({@link JsonStateCodec}, with Vavr
   * collections, {@linkplain JsonStateCodec#rejectingUnknownProperties() rejecting unknown
   * properties}: a changed state shape needs a schema version and a migration).
   *
   * @param initial the state at version 0, used when the directory holds no store yet
   * @param type the state type
   * @param <S> the type of the state
   * @return a new builder
   */
  static <S> FileStoreBuilder<S> builder(S initial, Class<S> type) {
    return builder(initial, TypeRef.of(type));
  }

  /**
   * A builder of a file store keeping its state as JSON of the declared {@code type}, generics
   * included ({@link JsonStateCodec}, with Vavr collections, rejecting unknown properties). Give
   * the declared type, not the initial value's class: {@code FileStore.builder(List.empty(), new
   * TypeRef<List<Todo>>() {})}.
   *
   * @param initial the state at version 0, used when the directory holds no store yet
   * @param type the declared state type
   * @param <S> the type of the state
   * @return a new builder
   * @throws IllegalArgumentException if {@code initial} is not an instance of {@code type}
   */
  static <S> FileStoreBuilder<S> builder(S initial, TypeRef<S> type) {
    return new FileStoreBuilder<>(initial, json(type, initial));
  }

  /**
   * A builder of a file store keeping its state as {@code codec} encodes it, with the options of
   * {@code options}: its initial state (used when the directory holds no store yet), name,
   * validators, interceptors, equivalence, history size, clock, backoff and delivery. A store
   * recovered from the directory starts at the recovered snapshot with those options ({@link
   * io.snapflux.store.StoreOptions#startingAt}), so they apply to it too. {@code options} is used,
   * not copied: {@link FileStoreBuilder#build()} applies {@link FileStoreBuilder#storeOptions} to
   * it and sets its backend.
   *
   * @param options a configured in-memory store builder
   * @param codec encodes states for the files; {@code decode(encode(s))} must equal {@code s}
   * @param <S> the type of the state
   * @return a new builder
   */
  static <S> FileStoreBuilder<S> builder(StoreBuilder<S> options, StateCodec<S> codec) {
    return new FileStoreBuilder<>(options, codec, true);
  }

  /**
   * Like {@link #builder(StoreBuilder, StateCodec)}, keeping the state as JSON ({@link
   * JsonStateCodec}, with Vavr collections, rejecting unknown properties).
   *
   * @param options a configured in-memory store builder
   * @param type the state type
   * @param <S> the type of the state
   * @return a new builder
   */
  static <S> FileStoreBuilder<S> builder(StoreBuilder<S> options, Class<S> type) {
    return builder(options, TypeRef.of(type));
  }

  /**
   * Like {@link #builder(StoreBuilder, StateCodec)}, keeping the state as JSON of the declared
   * {@code type}, generics included ({@link JsonStateCodec}, with Vavr collections, rejecting
   * unknown properties).
   *
   * @param options a configured in-memory store builder
   * @param type the declared state type
   * @param <S> the type of the state
   * @return a new builder
   * @throws IllegalArgumentException if the options' initial state is not an instance of {@code
   *     type}
   */
  static <S> FileStoreBuilder<S> builder(StoreBuilder<S> options, TypeRef<S> type) {
    options.type(type);
    return new FileStoreBuilder<>(options, JsonStateCodec.of(type).rejectingUnknownProperties(),
        true);
  }

  private static <S> StateCodec<S> json(TypeRef<S> type, S initial) {
    type.requireInstance(initial);
    return JsonStateCodec.of(type).rejectingUnknownProperties();
  }

  /** The directory holding this store's files. */
  Path directory();

  /** When updates are acknowledged. */
  Durability durability();

  /**
   * The newest version known to be on disk; never more than the newest committed version. With
   * {@link Durability#SYNC} it is never less than the version readers see ({@code
   * snapshot().version()} read before it), with {@link Durability#ASYNC} readers may see newer
   * versions.
   */
  long durableVersion();

  /**
   * The store's history epoch: an opaque 64-bit identifier, random and never 0, chosen when the
   * store is created and chosen anew whenever a reopen cannot prove that it holds every version
   * a reader may have seen (after an unclean shutdown with {@link Durability#ASYNC}, or a
   * restart from the snapshot alone). Within one epoch a version names exactly one state, also
   * across restarts; a version seen under another epoch may name another state. Compare epochs
   * for equality only. Clients that keep versions (ETags, resume tokens) keep the epoch with
   * them and resynchronize when it changes.
   *
   * @return the epoch
   */
  long epoch();

  /**
   * Like {@link #changes()}, but each snapshot is delivered only once it is on disk: what a
   * subscriber sees survives a crash. Conflated.
   *
   * @return a hot stream of durable snapshots
   */
  Flux<Snapshot<S>> durableChanges();

  /** Counters about the journal: records, fsyncs, compactions. */
  JournalStats journalStats();

  /** What recovery found when this store was opened. */
  RecoveryReport recovery();

  /**
   * Why the journal stopped, if it failed: the exception every update now fails with (naming
   * the store, its directory and the last durable version), whose cause is the original failure.
   * Empty while the journal works, including after a clean {@link #close()}.
   *
   * @return the failure, or empty
   */
  Optional<FileStoreException> journalFailure();
}
