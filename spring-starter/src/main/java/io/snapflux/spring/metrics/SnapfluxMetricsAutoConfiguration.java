package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreDecorator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Gives every store the {@link io.snapflux.spring.StoreFactory} creates the {@code snapflux.store.*} meters, when
 * Micrometer is on the class path and the context has a {@link MeterRegistry}. Switch it off with
 * {@code snapflux.metrics.enabled=false}, or replace it with a bean named {@code
 * snapfluxMeterStoreDecorator}.
 *
 * @see StoreMetrics
 */
@AutoConfiguration(
    before = SnapfluxAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "snapflux.metrics", name = "enabled", matchIfMissing = true)
public final class SnapfluxMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "snapfluxMeterStoreDecorator")
  StoreDecorator snapfluxMeterStoreDecorator(ObjectProvider<MeterRegistry> registry) {
    return new MeterStoreDecorator(registry);
  }
}
