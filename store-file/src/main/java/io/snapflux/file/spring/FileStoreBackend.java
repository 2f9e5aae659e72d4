package io.snapflux.file.spring;

import io.snapflux.file.Durability;
import io.snapflux.file.FileStore;
import io.snapflux.file.JournalStats;
import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import io.snapflux.store.Store;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code file} backend: each store is a {@link FileStore} in {@code
 * <snapflux.file.directory>/<store name>} (the name URL-encoded), restored at its last durable
 * version when the application restarts.
 *
 * <p>The in-memory store underneath is built from {@link StoreDefinition#builder()}, so it has the
 * store's {@code snapflux.stores.<name>} settings (equality, history size) and whatever the
 * customizer passed to {@code StoreFactory.create} set (validators, interceptors, clock, delivery
 * scheduler); a store restored from its directory keeps them all. Its name is always the one
 * given to {@code create}, which also names the directory.
 *
 * <p>{@link #isAvailable(Store)} is {@code false} once a store's journal has failed (an I/O error
 * writing or forcing its files): such a store serves reads but fails every update until the
 * application restarts; and while its disk is stalled (the oldest committed version not yet on
 * disk has waited longer than the store's stall timeout), when it refuses updates until the disk
 * catches up. The details carry the store's {@code epoch}, {@code pendingMillis} and
 * {@code stalled}.
 */
public final class FileStoreBackend implements StoreBackend {

  /** The backend's id, the value of {@code snapflux.backend} that selects it. */
  public static final String ID = "file";

  private final Path root;
  private final Durability durability;
  private final ObjectMapper mapper;
  private final Map<String, FileStore<?>> stores = new ConcurrentHashMap<>();

  FileStoreBackend(SnapfluxFileProperties settings, @Nullable ObjectMapper mapper) {
    if (settings.directory() == null) {
      throw new IllegalArgumentException(
          "snapflux.file.directory must be set when snapflux.backend=file");
    }
    this.root = settings.directory();
    this.durability = settings.durability();
    this.mapper = mapper != null
        ? mapper
        : JsonMapper.builder().findAndAddModules().addModule(new VavrModule()).build();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public <S> Store<S> create(StoreDefinition<S> definition) {
    // Strict about unknown properties, like FileStore.builder(initial, type): one process owns a
    // directory, and a changed state shape needs a schema version rather than silent data loss.
    // The declared type, never the initial state's class (List.empty() is a List$Nil).
    StateCodec<S> codec = JsonStateCodec.of(mapper, definition.type()).rejectingUnknownProperties();
    FileStore<S> store = FileStore.builder(definition.builder(), codec)
        .directory(directoryOf(definition.name()))
        .name(definition.name())
        .durability(durability)
        .build();
    stores.put(definition.name(), store);
    return store;
  }

  /** The directory of the store called {@code name}. */
  Path directoryOf(String name) {
    String file = URLEncoder.encode(name, StandardCharsets.UTF_8);
    if (file.equals(".") || file.equals("..")) {
      throw new IllegalArgumentException("'" + name + "' cannot name a file store's directory");
    }
    return root.resolve(file);
  }

  /** The file store behind {@code store} (which may be decorated), by name; empty if none. */
  Optional<FileStore<?>> fileStore(Store<?> store) {
    return Optional.ofNullable(stores.get(store.name()));
  }

  /**
   * {@code false} once the journal of {@code store} has failed, and while its disk is stalled;
   * see {@link FileStore}.
   */
  @Override
  public boolean isAvailable(Store<?> store) {
    FileStore<?> fs = stores.get(store.name());
    return fs == null || (fs.journalFailure().isEmpty() && !fs.journalStats().stalled());
  }

  @Override
  public Map<String, Object> details(Store<?> store) {
    FileStore<?> fs = stores.get(store.name());
    if (fs == null) {
      return Map.of();
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("directory", fs.directory().toString());
    details.put("durability", fs.durability().name().toLowerCase(java.util.Locale.ROOT));
    details.put("durableVersion", fs.durableVersion());
    details.put("epoch", Long.toHexString(fs.epoch()));
    JournalStats journal = fs.journalStats();
    details.put("fsyncs", journal.fsyncs());
    details.put("pendingMillis", journal.pendingMillis());
    details.put("stalled", journal.stalled());
    details.put("recoveredVersion", fs.recovery().version());
    details.put("recoveryWarnings", fs.recovery().warnings());
    fs.journalFailure()
        .ifPresent(f -> details.put("journalFailure", String.valueOf(f.getCause())));
    return details;
  }

  @Override
  public String toString() {
    return "file(" + root + ", " + durability.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }
}
