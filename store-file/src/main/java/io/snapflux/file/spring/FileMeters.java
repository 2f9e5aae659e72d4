package io.snapflux.file.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.snapflux.file.FileStore;
import io.snapflux.spring.StoreDecorator;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.Store;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds the file backend's meters to each store, tagged {@code store=<name>}, read from {@link
 * FileStore#journalStats()} at scrape time. They are removed with the store's other {@code
 * snapflux.*} meters when it closes. Returns the store unchanged.
 */
final class FileMeters implements StoreDecorator {

  /** Forces of the journal to the device. */
  static final String FSYNCS = "snapflux.file.fsyncs";
  /** Journal records written (one version each). */
  static final String RECORDS = "snapflux.file.journal.records";
  /** Current size of the journal file. */
  static final String JOURNAL_BYTES = "snapflux.file.journal.bytes";
  /** Snapshot files written to replace a grown journal. */
  static final String COMPACTIONS = "snapflux.file.compactions";
  /** Journal records per fsync since the store opened: the average group-commit size. */
  static final String GROUP_COMMIT = "snapflux.file.group.commit.size";
  /** The newest version known to be on disk. */
  static final String DURABLE_VERSION = "snapflux.file.durable.version";

  private final ObjectProvider<MeterRegistry> registries;
  private final FileStoreBackend backend;

  FileMeters(ObjectProvider<MeterRegistry> registries, FileStoreBackend backend) {
    this.registries = registries;
    this.backend = backend;
  }

  @Override
  public <S> Store<S> decorate(Store<S> store, StoreDefinition<S> definition) {
    MeterRegistry registry = registries.getIfUnique();
    if (registry != null) {
      backend.fileStore(store).ifPresent(file -> bind(registry, file));
    }
    return store;
  }

  private static void bind(MeterRegistry registry, FileStore<?> file) {
    Tags tags = Tags.of("store", file.name());
    FunctionCounter.builder(FSYNCS, file, f -> f.journalStats().fsyncs())
        .tags(tags).description("Forces of the journal to the device").register(registry);
    FunctionCounter.builder(RECORDS, file, f -> f.journalStats().records())
        .tags(tags).description("Journal records written").register(registry);
    FunctionCounter.builder(COMPACTIONS, file, f -> f.journalStats().compactions())
        .tags(tags).description("Snapshot files written to replace a grown journal")
        .register(registry);
    Gauge.builder(JOURNAL_BYTES, file, f -> f.journalStats().journalBytes())
        .tags(tags).baseUnit("bytes").description("Current size of the journal file")
        .register(registry);
    Gauge.builder(GROUP_COMMIT, file, f -> {
      var stats = f.journalStats();
      return stats.fsyncs() == 0 ? 0 : (double) stats.records() / stats.fsyncs();
    }).tags(tags).description("Journal records per fsync since the store opened")
        .register(registry);
    Gauge.builder(DURABLE_VERSION, file, f -> f.durableVersion())
        .tags(tags).description("The newest version known to be on disk").register(registry);
  }
}
