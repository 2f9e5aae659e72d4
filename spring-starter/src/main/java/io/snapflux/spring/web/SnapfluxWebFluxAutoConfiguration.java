package io.snapflux.spring.web;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers, in reactive web applications, the {@link SseDrain}, so that {@link StoreSse} streams
 * end when shutdown begins, and an {@link SseOptions} bean made from {@link SnapfluxWebProperties}
 * ({@code snapflux.web.sse.*}) with the application's {@code JsonMapper}, so streams encode as the
 * rest of its API. An application's own bean of either type replaces ours.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@EnableConfigurationProperties(SnapfluxWebProperties.class)
@ConditionalOnClass(WebFilter.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public final class SnapfluxWebFluxAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SseDrain snapfluxSseDrain() {
    return new SseDrain();
  }

  @Bean
  @ConditionalOnMissingBean
  SseOptions snapfluxSseOptions(SnapfluxWebProperties properties, ObjectProvider<JsonMapper> mapper) {
    SnapfluxWebProperties.Sse sse = properties.sse();
    return new SseOptions(sse.heartbeat(), mapper.getIfAvailable(), sse.jsonPatch(),
        sse.bookmarkVersions(), sse.bookmarkInterval());
  }
}
