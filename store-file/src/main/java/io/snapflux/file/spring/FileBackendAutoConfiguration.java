package io.snapflux.file.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapflux.file.FileStore;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDecorator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contributes the {@code file} {@link StoreBackend} when {@code snapflux.backend=file}, with the
 * settings of {@code snapflux.file.*}. Registered by {@code snapflux-file} itself, so adding that
 * module is all it takes; the starter knows nothing of it. States are stored as JSON with the
 * application's Jackson 3 {@link JsonMapper} (so with its Vavr module and settings), or a new one
 * with the Vavr module if the context has none. An application's own {@link FileStoreBackend}
 * bean replaces it.
 */
@AutoConfiguration(before = SnapfluxAutoConfiguration.class)
@ConditionalOnClass({FileStore.class, StoreBackend.class})
@ConditionalOnProperty(prefix = "snapflux", name = "backend", havingValue = FileStoreBackend.ID)
@EnableConfigurationProperties(SnapfluxFileProperties.class)
public final class FileBackendAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  FileStoreBackend snapfluxFileStoreBackend(SnapfluxFileProperties properties,
      ObjectProvider<JsonMapper> jsonMapper) {
    return new FileStoreBackend(properties, jsonMapper.getIfAvailable());
  }

  /**
   * The file backend's meters ({@link FileMeters}), next to the starter's {@code
   * snapflux.store.*} ones, when Micrometer is on the class path and {@code
   * snapflux.metrics.enabled} is not {@code false}; removed with the store's other meters when it
   * closes.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnProperty(prefix = "snapflux.metrics", name = "enabled", matchIfMissing = true)
  static class Metrics {

    @Bean
    @ConditionalOnMissingBean(name = "snapfluxFileMeterDecorator")
    StoreDecorator snapfluxFileMeterDecorator(ObjectProvider<MeterRegistry> registry,
        FileStoreBackend backend) {
      return new FileMeters(registry, backend);
    }
  }
}
