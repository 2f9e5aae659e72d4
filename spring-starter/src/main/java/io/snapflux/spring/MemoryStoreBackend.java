package io.snapflux.spring;

import io.snapflux.store.Store;

/** The built-in {@code memory} backend: builds the in-memory store the definition configured. */
final class MemoryStoreBackend implements StoreBackend {

  @Override
  public String id() {
    return MEMORY;
  }

  @Override
  public <S> Store<S> create(StoreDefinition<S> definition) {
    return definition.builder().build();
  }

  @Override
  public String toString() {
    return "memory";
  }
}
