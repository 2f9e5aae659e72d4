package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.SnapfluxProperties;
import io.snapflux.spring.StoreDecorator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Gives every store the {@link io.snapflux.spring.StoreFactory} creates the {@code snapflux.store.*} meters, when
 * Micrometer is on the class path and the context has a {@link MeterRegistry}, and makes each
 * write an observation of the context's {@link ObservationRegistry} (so spans and {@code
 * management.observations.*} filters apply); meters are removed when a store closes. Switch it off with
 * {@code snapflux.metrics.enabled=false}, or replace it with a bean named {@code
 * snapfluxMeterStoreDecorator}.
 *
 * @see StoreMetrics
 */
@AutoConfiguration(
    before = SnapfluxAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
    })
@ConditionalOnClass(MeterRegistry.class)
@EnableConfigurationProperties(SnapfluxProperties.class)
@ConditionalOnProperty(prefix = "snapflux.metrics", name = "enabled", matchIfMissing = true)
public final class SnapfluxMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "snapfluxMeterStoreDecorator")
  StoreDecorator snapfluxMeterStoreDecorator(ObjectProvider<MeterRegistry> registry,
      ObjectProvider<ObservationRegistry> observations, SnapfluxProperties properties) {
    return new MeterStoreDecorator(registry, observations, properties.backend());
  }
}
