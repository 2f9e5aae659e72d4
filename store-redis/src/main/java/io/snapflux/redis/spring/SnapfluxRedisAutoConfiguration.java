package io.snapflux.redis.spring;

import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.snapflux.jackson.vavr.VavrModule;
import io.snapflux.redis.RedisStore;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDecorator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contributes the {@code redis} {@link StoreBackend} when {@code snapflux.backend=redis}: stores
 * are {@link RedisStore}s on one Lettuce client connected by Spring Boot's {@link
 * DataRedisConnectionDetails} (from {@code spring.data.redis.*} or a connection-details bean),
 * on Boot's Lettuce {@link ClientResources} bean when there is one (unless {@code
 * snapflux.redis.dedicated-resources=true}), with the timeouts and client
 * name of {@code spring.data.redis.*} and the settings of {@code snapflux.redis.*}. Needs Spring
 * Boot's Redis support on the class path ({@code spring-boot-starter-data-redis}). States are
 * JSON written with the application's Jackson 3 {@code JsonMapper} (a new one with the Vavr module
 * if the context has none). Registered by {@code snapflux-redis} itself (a backend plugin of the
 * starter, like {@code snapflux-file}'s); an application's own {@code RedisStoreBackend} bean
 * replaces it.
 */
@AutoConfiguration(before = SnapfluxAutoConfiguration.class, after = DataRedisAutoConfiguration.class)
@ConditionalOnClass({RedisStore.class, RedisClient.class, StoreBackend.class,
    DataRedisConnectionDetails.class})
@ConditionalOnProperty(prefix = "snapflux", name = "backend", havingValue = RedisStoreBackend.ID)
@EnableConfigurationProperties({DataRedisProperties.class, SnapfluxRedisProperties.class})
public final class SnapfluxRedisAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(RedisStoreBackend.class)
  RedisStoreBackend snapfluxRedisStoreBackend(
      ObjectProvider<DataRedisConnectionDetails> connection, DataRedisProperties redis,
      SnapfluxRedisProperties settings, ObjectProvider<JsonMapper> mapper,
      ObjectProvider<ClientResources> resources) {
    DataRedisConnectionDetails details = connection.getIfAvailable(() -> {
      throw new IllegalStateException("snapflux.backend=redis needs Spring Boot's Redis "
          + "connection details: add spring-boot-starter-data-redis (its DataRedisAutoConfiguration "
          + "reads spring.data.redis.*) or define a DataRedisConnectionDetails bean");
    });
    return new RedisStoreBackend(details, redis, settings,
        mapper.getIfAvailable(
            () -> JsonMapper.builder().findAndAddModules().addModule(new VavrModule()).build()),
        settings.dedicatedResources() ? null : resources.getIfUnique());
  }

  /**
   * The Redis backend's meters, next to the starter's {@code snapflux.store.*} ones, per store:
   * {@value RedisMeters#CONNECTED} (1 while its connections are up), the counters of {@code
   * RedisStore.redisStats()} ({@code snapflux.redis.round.trips}, {@code .retries}, {@code
   * .resends}, {@code .reconnects}, {@code .resyncs}, {@code .write.timeouts}, {@code
   * .outcomes.unknown}) and the gauge {@value RedisMeters#STREAM_LAG}. Removed with the store's
   * other meters when it closes. Off with {@code snapflux.metrics.enabled=false}, like the
   * starter's and the file backend's meters.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnProperty(prefix = "snapflux.metrics", name = "enabled", matchIfMissing = true)
  static class Metrics {

    @Bean
    @ConditionalOnMissingBean(name = "snapfluxRedisMeterDecorator")
    StoreDecorator snapfluxRedisMeterDecorator(ObjectProvider<MeterRegistry> registry,
        RedisStoreBackend backend) {
      return new RedisMeters(registry, backend);
    }
  }
}
