package io.snapflux.spring;

import io.snapflux.store.Store;

/**
 * Wraps or observes each store a {@link StoreFactory} creates, e.g. to record metrics. Decorator
 * beans are applied in {@link org.springframework.core.annotation.Order} order, the first one
 * innermost; the factory registers and returns the outermost store.
 *
 * <p>A decorator that returns a different instance changes the store's identity: the
 * application must use the store the factory returned.
 */
public interface StoreDecorator {

  /**
   * Decorates {@code store}.
   *
   * @param store the store as created by the backend (or decorated by earlier decorators)
   * @param definition what the store was created from
   * @param <S> the type of the state
   * @return {@code store} itself or a wrapper delegating to it
   */
  <S> Store<S> decorate(Store<S> store, StoreDefinition<S> definition);
}
