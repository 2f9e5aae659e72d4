package io.snapflux.spring;

import io.snapflux.store.Store;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the {@link StoreFactory} from {@code snapflux.*} properties. An application's
 * own {@code StoreFactory} bean replaces it.
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
    StoreBackend backend = backends.orderedStream()
        .filter(candidate -> candidate.kind() == properties.backend())
        .findFirst()
        .orElseGet(() -> builtIn(properties.backend()));
    return new ManagedStoreFactory(properties, backend, decorators.orderedStream().toList());
  }

  private static StoreBackend builtIn(SnapfluxProperties.Backend backend) {
    if (backend == SnapfluxProperties.Backend.MEMORY) {
      return new MemoryStoreBackend();
    }
    throw new BackendUnavailableException(backend);
  }
}
