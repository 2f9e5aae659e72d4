package io.snapflux.file;

import io.snapflux.store.Backend;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.Store;
import io.snapflux.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The file {@link Backend}: obtained with {@link FileStore#backend(Path)}, given to {@link
 * io.snapflux.store.StoreBuilder#backend(Backend)}. It receives the store's options like every
 * backend and adds the file settings below; the state is encoded as JSON with the store's
 * declared type ({@link StoreOptions#type()}), rejecting unknown properties. For a codec of your
 * own, schema migrations or a simulated disk, use {@link FileStore#builder(Object,
 * io.snapflux.store.StateCodec)}.
 *
 * <p>A configuration, not thread-safe while being configured; each {@link #create} opens one
 * store in the directory.
 */
public final class FileBackend implements Backend {

  private final Path directory;
  private Durability durability = Durability.SYNC;
  private Duration flushInterval = FileStoreBuilder.DEFAULT_FLUSH_INTERVAL;
  private Duration stallTimeout;
  private long compactionThreshold = FileStoreBuilder.DEFAULT_COMPACTION_THRESHOLD;
  private int schemaVersion = 1;

  FileBackend(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /**
   * When updates are acknowledged; see {@link FileStoreBuilder#durability(Durability)}.
   *
   * @param durability sync or async
   * @return this backend
   */
  public FileBackend durability(Durability durability) {
    this.durability = Objects.requireNonNull(durability, "durability");
    return this;
  }

  /**
   * See {@link FileStoreBuilder#flushInterval(Duration)}.
   *
   * @param interval the flush interval of {@link Durability#ASYNC}
   * @return this backend
   */
  public FileBackend flushInterval(Duration interval) {
    this.flushInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /**
   * See {@link FileStoreBuilder#stallTimeout(Duration)}.
   *
   * @param timeout the stall timeout
   * @return this backend
   */
  public FileBackend stallTimeout(Duration timeout) {
    this.stallTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * See {@link FileStoreBuilder#compactionThreshold(long)}.
   *
   * @param bytes the journal size that triggers a compaction
   * @return this backend
   */
  public FileBackend compactionThreshold(long bytes) {
    this.compactionThreshold = bytes;
    return this;
  }

  /**
   * See {@link FileStoreBuilder#schemaVersion(int)}.
   *
   * @param version the schema version the application reads and writes
   * @return this backend
   */
  public FileBackend schemaVersion(int version) {
    this.schemaVersion = version;
    return this;
  }

  /**
   * Opens (or creates) the store in the directory with {@code options}.
   *
   * @param options the store's options
   * @param <S> the type of the state
   * @return the store, at the last durable version if the directory holds one
   */
  @Override
  public <S> FileStore<S> create(StoreOptions<S> options) {
    FileStoreBuilder<S> b = new FileStoreBuilder<>(Store.builder(options.initial()),
        JsonStateCodec.of(options.type()).rejectingUnknownProperties(), true)
        .directory(directory)
        .durability(durability)
        .flushInterval(flushInterval)
        .compactionThreshold(compactionThreshold)
        .schemaVersion(schemaVersion);
    if (stallTimeout != null) {
      b.stallTimeout(stallTimeout);
    }
    return b.open(options);
  }

  @Override
  public String toString() {
    return "FileBackend{" + directory + ", " + durability + "}";
  }
}
