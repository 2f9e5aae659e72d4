package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.observation.ObservationRegistry;
import io.snapflux.spring.StoreDecorator;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.Store;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds {@link StoreMetrics} to each store the factory creates and wraps the store so that each
 * write is an observation (a backend's own meters are bound by its module). The registries
 * are looked up when a store is created: a context without a {@code MeterRegistry} gets no meters,
 * one without an {@code ObservationRegistry} gets the update timer straight from the meter
 * registry. Closing the store removes all its meters.
 */
final class MeterStoreDecorator implements StoreDecorator {

  private final ObjectProvider<MeterRegistry> registry;
  private final ObjectProvider<ObservationRegistry> observations;
  private final String backend;

  MeterStoreDecorator(ObjectProvider<MeterRegistry> registry,
      ObjectProvider<ObservationRegistry> observations, String backend) {
    this.registry = registry;
    this.observations = observations;
    this.backend = backend;
  }

  @Override
  public <S> Store<S> decorate(Store<S> store, StoreDefinition<S> definition) {
    MeterRegistry meters = registry.getIfUnique();
    if (meters == null) {
      return store;
    }
    StoreMetrics.bind(meters, store, Tags.empty());
    @Nullable ObservationRegistry shared = observations.getIfUnique();
    ObservationRegistry observed = shared != null && !shared.isNoop()
        ? shared
        : StoreMetrics.meterObservations(meters);
    return StoreMetrics.observed(observed, store, backend, () -> StoreMetrics.unbind(meters, store));
  }
}
