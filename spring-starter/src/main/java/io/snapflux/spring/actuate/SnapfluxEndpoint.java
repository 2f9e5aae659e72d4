package io.snapflux.spring.actuate;

import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import io.snapflux.store.StoreStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import tools.jackson.databind.ObjectMapper;

/**
 * The Actuator endpoint {@code snapflux}: {@code GET /actuator/snapflux} lists the stores of the
 * {@link StoreFactory}; {@code GET /actuator/snapflux/{name}} describes one store, with its state
 * only when {@code management.endpoint.snapflux.show-values} allows it ({@code never} by default,
 * {@code when-authorized}, {@code always}), as Spring Boot's {@code env} endpoint does with
 * property values.
 *
 * <p>Over JMX, where there is no user, {@code when-authorized} shows the state, as for {@code
 * env}; over HTTP the {@link SnapfluxEndpointWebExtension} decides per request from the user's
 * roles ({@code management.endpoint.snapflux.roles}, any authenticated user if empty).
 */
@Endpoint(id = "snapflux")
public final class SnapfluxEndpoint {

  private final StoreFactory factory;
  private final Show showValues;
  private final @Nullable ObjectMapper objectMapper;

  /**
   * @param factory the stores to describe
   * @param showValues when the state may be shown
   * @param objectMapper the application's mapper, used to turn states into JSON trees so they
   *     render as the application renders them (Vavr collections included); {@code null} to hand
   *     the state itself to the endpoint's own mapper
   */
  public SnapfluxEndpoint(
      StoreFactory factory, Show showValues, @Nullable ObjectMapper objectMapper) {
    this.factory = factory;
    this.showValues = showValues;
    this.objectMapper = objectMapper;
  }

  /** Every store, without state. */
  @ReadOperation
  public StoresDescriptor stores() {
    List<StoreDescriptor> stores = factory.stores().values().stream()
        .map(store -> describe(store, false))
        .toList();
    return new StoresDescriptor(factory.backend().id(), stores);
  }

  /**
   * One store, with its state if {@code show-values} is {@code always} or {@code
   * when-authorized}.
   *
   * @param name the store name
   * @return its description, or {@code null} (404) if there is no such store
   */
  @ReadOperation
  public @Nullable StoreDescriptor store(@Selector String name) {
    return store(name, showValues.isShown(true));
  }

  @Nullable StoreDescriptor store(String name, boolean showState) {
    Store<?> store = factory.stores().get(name);
    return store == null ? null : describe(store, showState);
  }

  Show showValues() {
    return showValues;
  }

  private StoreDescriptor describe(Store<?> store, boolean showState) {
    Snapshot<?> snapshot = store.snapshot();
    StoreStats stats = store.stats();
    return new StoreDescriptor(
        store.name(),
        snapshot.version(),
        stats.subscribers(),
        factory.backend().id(),
        factory.settings(store.name()).historySize(),
        store.isClosed(),
        snapshot.timestamp(),
        stats,
        factory.backend().details(store),
        showState ? render(snapshot.state()) : null);
  }

  private Object render(Object state) {
    return objectMapper == null ? state : objectMapper.valueToTree(state);
  }

  /**
   * The answer of {@code GET /actuator/snapflux}.
   *
   * @param backend the value of {@code snapflux.backend}
   * @param stores every store, in creation order
   */
  public record StoresDescriptor(String backend, List<StoreDescriptor> stores) {}

  /**
   * One store.
   *
   * @param name its name
   * @param version its current version
   * @param subscribers its live subscribers
   * @param backend the backend it lives in
   * @param historySize how many recent snapshots it keeps
   * @param closed whether it is closed
   * @param timestamp when its current version was committed
   * @param stats its counters
   * @param details backend-specific facts
   * @param state its current state, when shown; otherwise {@code null} and left out of the JSON
   */
  public record StoreDescriptor(
      String name,
      long version,
      int subscribers,
      String backend,
      int historySize,
      boolean closed,
      Instant timestamp,
      StoreStats stats,
      Map<String, Object> details,
      @Nullable Object state) {}
}
