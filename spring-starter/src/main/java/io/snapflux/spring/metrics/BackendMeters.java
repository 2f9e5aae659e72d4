package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapflux.store.Store;
import org.springframework.util.ClassUtils;

/**
 * Meters of the backend a store lives in, read from what the backend exposes publicly. Today the
 * file backend ({@link FileMeters}); the Redis backend's connection state is in the health details
 * until {@code RedisStore} exposes counters.
 */
final class BackendMeters {

  private static final boolean FILE =
      ClassUtils.isPresent("io.snapflux.file.FileStore", BackendMeters.class.getClassLoader());

  private BackendMeters() {}

  static void bind(MeterRegistry registry, Store<?> store) {
    if (FILE) {
      FileMeters.bind(registry, store);
    }
  }
}
