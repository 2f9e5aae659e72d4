package io.snapflux.spring.inspector;

import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the Snapflux Inspector (its page and JSON API, under {@code
 * snapflux.inspector.base-path}) for every store of a reactive web application, when {@code
 * snapflux.inspector.enabled=true}. Off by default: the inspector shows and changes state, so the
 * application must protect its paths (as it protects Actuator's sensitive endpoints) before it
 * turns it on. Needs WebFlux and zjsonpatch (the diffs are the SSE stream's JSON Patch).
 */
@AutoConfiguration(
    afterName = {
        "io.snapflux.spring.SnapfluxAutoConfiguration",
        "io.snapflux.spring.web.SnapfluxWebFluxAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"})
@ConditionalOnClass(
    name = {
        "org.springframework.web.reactive.function.server.RouterFunction",
        "com.flipkart.zjsonpatch.Jackson3JsonDiff"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(prefix = "snapflux.inspector", name = "enabled", havingValue = "true")
@ConditionalOnBean(StoreFactory.class)
@EnableConfigurationProperties(SnapfluxInspectorProperties.class)
public final class SnapfluxInspectorAutoConfiguration {

  @Bean
  RouterFunction<ServerResponse> snapfluxInspectorRoutes(
      SnapfluxInspectorProperties properties,
      StoreFactory factory,
      ObjectProvider<SseOptions> sseOptions,
      ListableBeanFactory beans) {
    SseOptions options = sseOptions.getIfAvailable(SseOptions::defaults);
    Inspector inspector = new Inspector(factory, () -> storeBeans(beans), options.encoder());
    return new InspectorHandler(inspector, options, properties.basePath()).routes();
  }

  /** Store beans, by store name (the factory's are among them, under their own names). */
  private static Map<String, Store<?>> storeBeans(ListableBeanFactory beans) {
    Map<String, Store<?>> byName = new LinkedHashMap<>();
    for (Object store : beans.getBeansOfType(Store.class, false, false).values()) {
      Store<?> s = (Store<?>) store;
      byName.putIfAbsent(s.name(), s);
    }
    return byName;
  }
}
