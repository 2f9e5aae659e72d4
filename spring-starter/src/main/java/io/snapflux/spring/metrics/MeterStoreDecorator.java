package io.snapflux.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.snapflux.spring.StoreDecorator;
import io.snapflux.spring.StoreDefinition;
import io.snapflux.store.Store;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds {@link StoreMetrics} to each store the factory creates and wraps it in the update timer.
 * The registry is looked up when a store is created, so a context without one simply gets no
 * meters and unwrapped stores.
 */
final class MeterStoreDecorator implements StoreDecorator {

  private final ObjectProvider<MeterRegistry> registry;

  MeterStoreDecorator(ObjectProvider<MeterRegistry> registry) {
    this.registry = registry;
  }

  @Override
  public <S> Store<S> decorate(Store<S> store, StoreDefinition<S> definition) {
    MeterRegistry meters = registry.getIfUnique();
    if (meters == null) {
      return store;
    }
    StoreMetrics.bind(meters, store, Tags.empty());
    return StoreMetrics.timed(meters, store, Tags.empty());
  }
}
