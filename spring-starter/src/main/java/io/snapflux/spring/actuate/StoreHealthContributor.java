package io.snapflux.spring.actuate;

import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of every store of a {@link StoreFactory}, one indicator per store, named after it: {@code
 * UP} while its backend {@linkplain StoreBackend#isAvailable(Store) is available}, {@code DOWN}
 * when it is not (e.g. Redis unreachable: reads still serve the last snapshot, writes fail), and
 * {@code OUT_OF_SERVICE} once the store is closed. Details: backend, version, subscribers and the
 * backend's own details. The set of stores is read on every health request, so stores created
 * after startup appear too.
 */
public final class StoreHealthContributor implements CompositeHealthContributor {

  private final StoreFactory factory;

  /**
   * @param factory the stores
   */
  public StoreHealthContributor(StoreFactory factory) {
    this.factory = factory;
  }

  @Override
  public @Nullable HealthContributor getContributor(String name) {
    Store<?> store = factory.stores().get(name);
    return store == null ? null : indicator(store);
  }

  @Override
  public Stream<Entry> stream() {
    return factory.stores().values().stream()
        .map(store -> new Entry(store.name(), indicator(store)));
  }

  private HealthIndicator indicator(Store<?> store) {
    return () -> {
      StoreBackend backend = factory.backend();
      Health.Builder health = store.isClosed()
          ? Health.outOfService()
          : backend.isAvailable(store) ? Health.up() : Health.down();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("backend", backend.id());
      details.put("version", store.snapshot().version());
      details.put("subscribers", store.stats().subscribers());
      details.putAll(backend.details(store));
      return health.withDetails(details).build();
    };
  }
}
