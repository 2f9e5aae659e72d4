package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.snapflux.file.FileStore;
import io.snapflux.store.Store;

/**
 * The file backend's meters, tagged {@code store=<name>}, read from {@link FileStore#journalStats()}
 * at scrape time. Loaded only when snapflux-file is on the class path.
 */
final class FileMeters {

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

  private FileMeters() {}

  static void bind(MeterRegistry registry, Store<?> store) {
    if (!(store instanceof FileStore<?> file)) {
      return;
    }
    Tags tags = Tags.of("store", store.name());
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
