package io.snapflux.spring;

import io.snapflux.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the {@link StoreFactory} from {@code snapflux.*} properties, on the {@link
 * StoreBackend} bean whose id is {@code snapflux.backend} (or the built-in {@code memory}
 * backend). An application's own {@code StoreFactory} bean replaces it.
 *
 * <p>Backend modules register their auto-configurations to run before this one, so their
 * backend beans exist when the factory is created.
 */
@AutoConfiguration
@ConditionalOnClass(Store.class)
@EnableConfigurationProperties(SnapfluxProperties.class)
public final class SnapfluxAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  StoreFactory storeFactory(
      SnapfluxProperties properties,
      ObjectProvider<StoreBackend> backends,
      ObjectProvider<StoreDecorator> decorators) {
    StoreBackend backend = select(properties.backend(), backends.orderedStream().toList());
    return new ManagedStoreFactory(properties, backend, decorators.orderedStream().toList());
  }

  /**
   * The backend whose id is {@code id} among the {@code plugins} and the built-in memory backend
   * (which a plugin with its id replaces).
   *
   * @throws IllegalStateException if a plugin's id is malformed
   * @throws DuplicateBackendException if two plugins have the same id
   * @throws BackendUnavailableException if none has {@code id}
   */
  static StoreBackend select(String id, List<StoreBackend> plugins) {
    Map<String, StoreBackend> byId = new LinkedHashMap<>();
    Map<String, List<String>> duplicates = new LinkedHashMap<>();
    for (StoreBackend plugin : plugins) {
      String pluginId = plugin.id();
      if (pluginId == null || !StoreBackend.ID.matcher(pluginId).matches()) {
        throw new IllegalStateException("StoreBackend " + describe(plugin) + " has the id '"
            + pluginId + "'; a backend id must match " + StoreBackend.ID.pattern());
      }
      StoreBackend previous = byId.putIfAbsent(pluginId, plugin);
      if (previous != null) {
        duplicates.computeIfAbsent(pluginId, k -> new ArrayList<>(List.of(describe(previous))))
            .add(describe(plugin));
      }
    }
    if (!duplicates.isEmpty()) {
      var first = duplicates.entrySet().iterator().next();
      throw new DuplicateBackendException(first.getKey(), first.getValue());
    }
    byId.putIfAbsent(StoreBackend.MEMORY, new MemoryStoreBackend());
    StoreBackend selected = byId.get(id);
    if (selected == null) {
      throw new BackendUnavailableException(id, byId.keySet().stream().sorted().toList());
    }
    return selected;
  }

  private static String describe(StoreBackend backend) {
    return backend.getClass().getName() + " (" + backend + ")";
  }
}
