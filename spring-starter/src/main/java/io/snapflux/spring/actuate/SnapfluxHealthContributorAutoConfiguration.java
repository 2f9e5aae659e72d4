package io.snapflux.spring.actuate;

import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code snapflux}, one indicator per store, when Actuator is on the class
 * path and {@code management.health.snapflux.enabled} is not {@code false}. A bean named {@code
 * snapfluxHealthContributor} replaces it.
 */
@AutoConfiguration(after = SnapfluxAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(StoreFactory.class)
@ConditionalOnEnabledHealthIndicator("snapflux")
public final class SnapfluxHealthContributorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "snapfluxHealthContributor")
  StoreHealthContributor snapfluxHealthContributor(StoreFactory factory) {
    return new StoreHealthContributor(factory);
  }
}
