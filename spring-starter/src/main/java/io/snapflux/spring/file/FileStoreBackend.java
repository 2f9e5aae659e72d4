package io.snapflux.spring.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapflux.file.Durability;
import io.snapflux.file.FileStore;
import io.snapflux.spring.SnapfluxProperties;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.Equivalence;
import io.snapflux.store.JsonStateCodec;
import io.snapflux.store.StateCodec;
import io.snapflux.store.Store;
import io.vavr.jackson.datatype.VavrModule;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@code file} backend: each store is a {@link FileStore} in {@code
 * <snapflux.file.directory>/<store name>} (the name URL-encoded), restored at its last durable
 * version when the application restarts.
 *
 * <p>The in-memory store underneath gets the store's name and its {@code snapflux.stores.<name>}
 * settings (equality, history size). A customizer passed to {@code StoreFactory.create} is not
 * applied: {@link StoreDefinition} carries it only baked into a builder whose initial state is
 * fixed, and a restored store needs the same options around another state (see
 * {@code docs/file-backend.md}, "Spring Boot").
 */
public final class FileStoreBackend implements StoreBackend {

  private final Path root;
  private final Durability durability;
  private final ObjectMapper mapper;
  private final Map<String, FileStore<?>> stores = new ConcurrentHashMap<>();

  FileStoreBackend(SnapfluxProperties.File settings, @Nullable ObjectMapper mapper) {
    this.root = Objects.requireNonNull(settings.directory(),
        "snapflux.file.directory must be set when snapflux.backend=file");
    this.durability = settings.durability() == SnapfluxProperties.Durability.ASYNC
        ? Durability.ASYNC : Durability.SYNC;
    this.mapper = mapper != null ? mapper : new ObjectMapper().registerModule(new VavrModule());
  }

  @Override
  public SnapfluxProperties.Backend kind() {
    return SnapfluxProperties.Backend.FILE;
  }

  @Override
  public <S> Store<S> create(StoreDefinition<S> definition) {
    SnapfluxProperties.StoreProperties settings = definition.settings();
    Equivalence<S> equivalence = settings.equality() == SnapfluxProperties.Equality.EQUALS
        ? Equivalence.equality() : Equivalence.identity();
    StateCodec<S> codec = JsonStateCodec.of(mapper, mapper.constructType(definition.stateType()));
    FileStore<S> store = FileStore.builder(definition.initial(), codec)
        .directory(directoryOf(definition.name()))
        .name(definition.name())
        .durability(durability)
        .storeOptions(b -> b.equivalence(equivalence).history(settings.historySize()))
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
    details.put("fsyncs", fs.journalStats().fsyncs());
    details.put("recoveredVersion", fs.recovery().version());
    details.put("recoveryWarnings", fs.recovery().warnings());
    return details;
  }

  @Override
  public String toString() {
    return "file(" + root + ", " + durability.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }
}
