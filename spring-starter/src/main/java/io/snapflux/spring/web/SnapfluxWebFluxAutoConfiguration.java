package io.snapflux.spring.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * Registers the {@link SseDrain} in reactive web applications, so that {@link StoreSse} streams end
 * when shutdown begins. An application's own {@code SseDrain} bean replaces it.
 */
@AutoConfiguration
@ConditionalOnClass(WebFilter.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public final class SnapfluxWebFluxAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SseDrain snapfluxSseDrain() {
    return new SseDrain();
  }
}
