package io.snapflux.spring.actuate;

import java.util.Set;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP face of {@link SnapfluxEndpoint}: shows a store's state per request, when {@code
 * management.endpoint.snapflux.show-values} is {@code always}, or {@code when-authorized} and the
 * user is authenticated and has one of {@code management.endpoint.snapflux.roles} (any role if
 * the set is empty), exactly as {@code env} does.
 */
@EndpointWebExtension(endpoint = SnapfluxEndpoint.class)
public final class SnapfluxEndpointWebExtension {

  private final SnapfluxEndpoint delegate;
  private final Set<String> roles;

  /**
   * @param delegate the endpoint
   * @param roles the roles allowed to see states under {@code when-authorized}
   */
  public SnapfluxEndpointWebExtension(SnapfluxEndpoint delegate, Set<String> roles) {
    this.delegate = delegate;
    this.roles = Set.copyOf(roles);
  }

  /**
   * One store, with its state if this request may see it.
   *
   * @param securityContext the caller
   * @param name the store name
   * @return the description, or 404
   */
  @ReadOperation
  public WebEndpointResponse<SnapfluxEndpoint.StoreDescriptor> store(
      SecurityContext securityContext, @Selector String name) {
    boolean show = delegate.showValues().isShown(securityContext, roles);
    SnapfluxEndpoint.StoreDescriptor descriptor = delegate.store(name, show);
    return descriptor == null
        ? new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)
        : new WebEndpointResponse<>(descriptor);
  }
}
