package io.snapflux.spring.actuate;

import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code snapflux} Actuator endpoint ({@code management.endpoint.snapflux.*}),
 * named like those of Spring Boot's {@code env} endpoint.
 *
 * @param showValues when a store's state is shown: {@code never} (the default), {@code
 *     when-authorized} or {@code always}
 * @param roles the roles that may see states under {@code when-authorized}; empty means any
 *     authenticated user
 */
@ConfigurationProperties("management.endpoint.snapflux")
public record SnapfluxEndpointProperties(
    @DefaultValue("never") Show showValues, @Nullable Set<String> roles) {

  /** Freezes the roles. */
  public SnapfluxEndpointProperties {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
  }

  @Override
  public Set<String> roles() {
    return roles == null ? Set.of() : roles;
  }
}
