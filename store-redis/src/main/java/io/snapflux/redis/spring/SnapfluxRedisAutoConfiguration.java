package io.snapflux.redis.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.snapflux.redis.RedisStore;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreBackend;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Contributes the {@code redis} {@link StoreBackend} when {@code snapflux.backend=redis}: stores
 * are {@link RedisStore}s on one Lettuce client built from {@code spring.data.redis.*} (url, or
 * host/port/database/username/password/ssl/timeout/client-name, or sentinel), and from {@code
 * snapflux.redis.*}. States are JSON written with the application's {@code ObjectMapper} (Vavr
 * module added if missing).
 */
@AutoConfiguration(before = SnapfluxAutoConfiguration.class)
@ConditionalOnClass({RedisStore.class, RedisClient.class, StoreBackend.class})
@ConditionalOnProperty(prefix = "snapflux", name = "backend", havingValue = "redis")
@EnableConfigurationProperties({RedisProperties.class, SnapfluxRedisProperties.class})
public final class SnapfluxRedisAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(RedisStoreBackend.class)
  RedisStoreBackend snapfluxRedisStoreBackend(
      RedisProperties redis, SnapfluxRedisProperties settings, ObjectProvider<ObjectMapper> mapper) {
    return new RedisStoreBackend(redis, settings, mapper.getIfAvailable(ObjectMapper::new));
  }
}
