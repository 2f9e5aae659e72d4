package io.snapflux.spring.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.web.SnapfluxWebFluxAutoConfiguration;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** When the inspector's routes exist: only when enabled, in a reactive web application. */
final class SnapfluxInspectorAutoConfigurationTest {

  private static final String ROUTES = "snapfluxInspectorRoutes";

  @Configuration(proxyBeanMethods = false)
  static class Stores {
    @Bean
    Store<Integer> counter(StoreFactory stores) {
      return stores.create("counter", 0);
    }
  }

  private final ReactiveWebApplicationContextRunner web = new ReactiveWebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
          SnapfluxAutoConfiguration.class, SnapfluxWebFluxAutoConfiguration.class,
          SnapfluxInspectorAutoConfiguration.class))
      .withUserConfiguration(Stores.class);

  @Test
  void notEnabled_noRoutes() {
    web.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
    web.withPropertyValues("snapflux.inspector.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ROUTES));
  }

  @Test
  void enabled_reactiveWeb_routesAndProperties() {
    web.withPropertyValues("snapflux.inspector.enabled=true",
            "snapflux.inspector.base-path=/admin/state/")
        .run(context -> {
          assertThat(context).hasBean(ROUTES);
          assertThat(context.getBean(SnapfluxInspectorProperties.class).basePath())
              .isEqualTo("/admin/state");
        });
  }

  @Test
  void enabled_notAWebApplication_noRoutes() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
            SnapfluxAutoConfiguration.class, SnapfluxInspectorAutoConfiguration.class))
        .withUserConfiguration(Stores.class)
        .withPropertyValues("snapflux.inspector.enabled=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
  }

  @Test
  void badBasePath_failsNamingTheProperty() {
    web.withPropertyValues("snapflux.inspector.enabled=true", "snapflux.inspector.base-path=/")
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("snapflux.inspector.base-path"));
  }
}
