package io.snapflux.spring.actuate;

import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Actuator endpoint {@code snapflux}, when Actuator is on the class path and the endpoint is
 * available (enabled and exposed, e.g. {@code management.endpoints.web.exposure.include=snapflux}).
 */
@AutoConfiguration(after = SnapfluxAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(StoreFactory.class)
@ConditionalOnAvailableEndpoint(SnapfluxEndpoint.class)
@EnableConfigurationProperties(SnapfluxEndpointProperties.class)
public final class SnapfluxEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SnapfluxEndpoint snapfluxEndpoint(
      StoreFactory factory,
      SnapfluxEndpointProperties properties,
      ObjectProvider<JsonMapper> jsonMapper) {
    return new SnapfluxEndpoint(factory, properties.showValues(), jsonMapper.getIfUnique());
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(SnapfluxEndpoint.class)
  @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
  SnapfluxEndpointWebExtension snapfluxEndpointWebExtension(
      SnapfluxEndpoint endpoint, SnapfluxEndpointProperties properties) {
    return new SnapfluxEndpointWebExtension(endpoint, properties.roles());
  }
}
