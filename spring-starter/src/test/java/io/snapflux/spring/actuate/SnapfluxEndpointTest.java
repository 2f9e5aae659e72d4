package io.snapflux.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.spring.SnapfluxAutoConfiguration;
import io.snapflux.spring.SnapfluxProperties;
import io.snapflux.spring.StoreBackend;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.spring.StoreFactory;
import io.snapflux.spring.jackson.SnapfluxJacksonAutoConfiguration;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import java.security.Principal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import tools.jackson.databind.JsonNode;

final class SnapfluxEndpointTest {

  record Flags(List<String> enabled) {}

  private final ReactiveWebApplicationContextRunner runner =
      new ReactiveWebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(
              JacksonAutoConfiguration.class,
              SnapfluxJacksonAutoConfiguration.class,
              SnapfluxAutoConfiguration.class,
              EndpointAutoConfiguration.class,
              SnapfluxEndpointAutoConfiguration.class,
              HealthContributorAutoConfiguration.class,
              SnapfluxHealthContributorAutoConfiguration.class))
          .withPropertyValues(
              "management.endpoints.web.exposure.include=snapflux",
              "snapflux.stores.flags.history-size=7");

  private static Store<Flags> flags(StoreFactory factory) {
    Store<Flags> store = factory.create("flags", new Flags(List.of("a")));
    store.update(f -> new Flags(f.enabled().append("b")));
    return store;
  }

  private static SecurityContext user(String... roles) {
    Principal principal = () -> "alice";
    return new SecurityContext() {
      @Override
      public Principal getPrincipal() {
        return principal;
      }

      @Override
      public boolean isUserInRole(String role) {
        return java.util.List.of(roles).contains(role);
      }
    };
  }

  @Test
  void list_describesEveryStoreWithoutState() {
    runner.run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      flags(factory);
      factory.create("other", 1);
      SnapfluxEndpoint.StoresDescriptor list = context.getBean(SnapfluxEndpoint.class).stores();
      assertThat(list.backend()).isEqualTo("memory");
      assertThat(list.stores()).extracting(
              SnapfluxEndpoint.StoreDescriptor::name,
              SnapfluxEndpoint.StoreDescriptor::version,
              SnapfluxEndpoint.StoreDescriptor::subscribers,
              SnapfluxEndpoint.StoreDescriptor::backend,
              SnapfluxEndpoint.StoreDescriptor::historySize,
              SnapfluxEndpoint.StoreDescriptor::state)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("flags", 1L, 0, "memory", 7, null),
              org.assertj.core.groups.Tuple.tuple("other", 0L, 0, "memory", 100, null));
    });
  }

  @Test
  void showValuesNever_default_hidesState() {
    runner.run(context -> {
      flags(context.getBean(StoreFactory.class));
      assertThat(context.getBean(SnapfluxEndpoint.class).store("flags").state()).isNull();
      WebEndpointResponse<SnapfluxEndpoint.StoreDescriptor> web = context
          .getBean(SnapfluxEndpointWebExtension.class).store(user("ADMIN"), "flags");
      assertThat(web.getBody().state()).isNull();
      assertThat(web.getBody().version()).isEqualTo(1);
    });
  }

  @Test
  void showValuesAlways_showsStateAsApplicationJson() {
    runner.withPropertyValues("management.endpoint.snapflux.show-values=always").run(context -> {
      flags(context.getBean(StoreFactory.class));
      Object state = context.getBean(SnapfluxEndpoint.class).store("flags").state();
      assertThat(state).isInstanceOf(JsonNode.class);
      assertThat(state.toString()).isEqualTo("{\"enabled\":[\"a\",\"b\"]}");
      assertThat(context.getBean(SnapfluxEndpointWebExtension.class)
          .store(SecurityContext.NONE, "flags").getBody().state()).isNotNull();
    });
  }

  @Test
  void showValuesWhenAuthorized_showsStateOnlyToUsersWithRole() {
    runner.withPropertyValues(
            "management.endpoint.snapflux.show-values=when-authorized",
            "management.endpoint.snapflux.roles=ADMIN")
        .run(context -> {
          flags(context.getBean(StoreFactory.class));
          SnapfluxEndpointWebExtension web = context.getBean(SnapfluxEndpointWebExtension.class);
          assertThat(web.store(user("ADMIN"), "flags").getBody().state()).isNotNull();
          assertThat(web.store(user("USER"), "flags").getBody().state()).isNull();
          assertThat(web.store(SecurityContext.NONE, "flags").getBody().state()).isNull();
        });
  }

  @Test
  void unknownStore_is404() {
    runner.run(context -> {
      assertThat(context.getBean(SnapfluxEndpoint.class).store("nope")).isNull();
      assertThat(context.getBean(SnapfluxEndpointWebExtension.class)
          .store(SecurityContext.NONE, "nope").getStatus()).isEqualTo(404);
    });
  }

  @Test
  void endpointNotExposed_noBean() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SnapfluxAutoConfiguration.class,
            EndpointAutoConfiguration.class, SnapfluxEndpointAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(SnapfluxEndpoint.class));
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class OwnEndpoint {
    @org.springframework.context.annotation.Bean
    SnapfluxEndpoint mine(StoreFactory factory) {
      return new SnapfluxEndpoint(factory, org.springframework.boot.actuate.endpoint.Show.ALWAYS,
          null);
    }
  }

  @Test
  void userEndpoint_wins() {
    runner.withUserConfiguration(OwnEndpoint.class).run(context -> {
      assertThat(context).hasSingleBean(SnapfluxEndpoint.class);
      assertThat(context.getBean(SnapfluxEndpoint.class)).isSameAs(context.getBean("mine"));
    });
  }

  @Test
  void health_onePerStore_upThenOutOfServiceWhenClosed() {
    runner.run(context -> {
      Store<Flags> store = flags(context.getBean(StoreFactory.class));
      CompositeHealthContributor health = context.getBean(
          "snapfluxHealthContributor", CompositeHealthContributor.class);
      Health flags = ((HealthIndicator) health.getContributor("flags")).health();
      assertThat(flags.getStatus()).isEqualTo(Status.UP);
      assertThat(flags.getDetails())
          .containsEntry("backend", "memory")
          .containsEntry("version", 1L)
          .containsEntry("subscribers", 0);
      assertThat(health.iterator().next().name()).isEqualTo("flags");
      store.close();
      assertThat(((HealthIndicator) health.getContributor("flags")).health().getStatus())
          .isEqualTo(Status.OUT_OF_SERVICE);
    });
  }

  @Test
  void health_unavailableBackend_isDownWithBackendDetails() {
    StoreBackend unreachable = new StoreBackend() {
      @Override
      public String id() {
        return "remote-test";
      }

      @Override
      public <S> Store<S> create(StoreDefinition<S> definition) {
        return definition.builder().build();
      }

      @Override
      public boolean isAvailable(Store<?> store) {
        return false;
      }

      @Override
      public Map<String, Object> details(Store<?> store) {
        return Map.of("key", "{" + store.name() + "}:state");
      }
    };
    runner.withPropertyValues("snapflux.backend=remote-test")
        .withBean(StoreBackend.class, () -> unreachable)
        .run(context -> {
          flags(context.getBean(StoreFactory.class));
          Health health = ((HealthIndicator) context.getBean(StoreHealthContributor.class)
              .getContributor("flags")).health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails())
              .containsEntry("backend", "remote-test")
              .containsEntry("key", "{flags}:state");
        });
  }

  @Test
  void healthDisabled_noContributor() {
    runner.withPropertyValues("management.health.snapflux.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(StoreHealthContributor.class));
  }
}
