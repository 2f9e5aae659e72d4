package io.snapflux.spring;

/** Lets tests in other packages build a factory without a context. */
public final class SnapfluxAutoConfigurationAccess {

  /** A memory factory with default properties. */
  public StoreFactory factory() {
    return new ManagedStoreFactory(
        SnapfluxProperties.defaults(), new MemoryStoreBackend(), java.util.List.of());
  }
}
