package io.snapflux.spring.file;

import io.snapflux.file.FileStore;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.SnapfluxProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contributes the {@code file} {@link io.snapflux.spring.StoreBackend} when {@code snapflux.backend=file} and
 * {@code snapflux-file} is on the class path. States are stored as JSON with the application's
 * Jackson 3 {@link JsonMapper} (so with its Vavr module and settings), or a new one with the Vavr
 * module if the context has none. An application's own {@link FileStoreBackend} bean replaces it.
 */
@AutoConfiguration(before = SnapfluxAutoConfiguration.class)
@ConditionalOnClass(FileStore.class)
@ConditionalOnProperty(prefix = "snapflux", name = "backend", havingValue = "file")
@EnableConfigurationProperties(SnapfluxProperties.class)
public final class FileBackendAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  FileStoreBackend snapfluxFileStoreBackend(SnapfluxProperties properties,
      ObjectProvider<JsonMapper> jsonMapper) {
    return new FileStoreBackend(properties.file(), jsonMapper.getIfAvailable());
  }
}
