package io.snapflux.spring;

import io.snapflux.store.Equivalence;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import io.snapflux.store.TypeRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The {@link StoreFactory} bean: builds stores from properties, delegates to the backend, applies
 * decorators, keeps the registry, and closes every store when the context is destroyed.
 *
 * <pre>
 * Implementation notes.
 *
 * Registry. A LinkedHashMap guarded by this object's monitor: stores are created a handful of
 * times at startup, so a lock is simpler than a concurrent map and keeps creation order for the
 * endpoint. stores() hands out a copy.
 *
 * Shutdown. The stores close in destroy(), which runs after every lifecycle phase has stopped:
 * after the web server's graceful shutdown (SmartLifecycle.DEFAULT_PHASE - 1024) has drained the
 * requests in flight and after the web server itself stopped. So a write in flight when shutdown
 * begins completes (and is durable on the file backend) instead of failing with
 * StoreClosedException. Open event streams must not hold graceful shutdown for its whole timeout:
 * StoreSse streams end earlier, in phase DEFAULT_PHASE, through web.SseDrain. (Until Boot 4 the
 * factory closed the stores in that first phase, which ended the streams but failed the writes
 * still in flight.) Closing a store completes its remaining subscribers after the final snapshot;
 * durable backends flush.
 *
 * Invariants (and the tests that check them):
 *  1. Names are unique. (SnapfluxAutoConfigurationTest.create_duplicateName_fails)
 *  2. Per-store properties apply; the customizer runs after them.
 *     (SnapfluxAutoConfigurationTest.create_appliesEqualityProperty,
 *     create_appliesHistorySizeProperty, create_customizerRunsAfterProperties)
 *  3. Every created store is closed when the context closes, after the web server's graceful
 *     shutdown; StoreSse streams end before it. (SnapfluxAutoConfigurationTest.contextClose_closesStoresAndCompletesSubscribers,
 *     StarterApplicationTest.closingTheApplication_completesOpenSseStreams,
 *     GracefulShutdownTest.writeInFlightDuringShutdown_completesAndIsDurable in snapflux-file)
 *  4. The registered store is the decorated one. (SnapfluxMetricsTest.factoryStore_isTimedWrapperForwardingReads)
 * </pre>
 */
final class ManagedStoreFactory implements StoreFactory, DisposableBean {

  private static final Log log = LogFactory.getLog(ManagedStoreFactory.class);

  private final SnapfluxProperties properties;
  private final StoreBackend backend;
  private final List<StoreDecorator> decorators;
  private final Map<String, Store<?>> stores = new LinkedHashMap<>();
  private final Map<String, TypeRef<?>> types = new LinkedHashMap<>();
  private boolean closed;

  ManagedStoreFactory(
      SnapfluxProperties properties, StoreBackend backend, List<StoreDecorator> decorators) {
    this.properties = Objects.requireNonNull(properties, "properties");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.decorators = List.copyOf(decorators);
  }

  @Override
  public <S> Store<S> create(
      String name, TypeRef<S> type, S initial, Consumer<StoreBuilder<S>> customizer) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(customizer, "customizer");
    try {
      type.requireInstance(initial);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("store '" + name + "': " + e.getMessage(), e);
    }
    SnapfluxProperties.StoreProperties settings = properties.store(name);
    StoreBuilder<S> builder = Store.builder(initial)
        .name(name)
        .equivalence(equivalence(settings))
        .history(settings.historySize());
    customizer.accept(builder);
    StoreDefinition<S> definition = new StoreDefinition<>(name, type, initial, settings, builder);
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException(
            "cannot create store '" + name + "': the StoreFactory is closed");
      }
      if (stores.containsKey(name)) {
        throw new IllegalStateException("a store named '" + name + "' already exists");
      }
      Store<S> store = backend.create(definition);
      for (StoreDecorator decorator : decorators) {
        store = Objects.requireNonNull(decorator.decorate(store, definition), "decorated store");
      }
      stores.put(name, store);
      types.put(name, type);
      return store;
    }
  }

  private static <S> Equivalence<S> equivalence(SnapfluxProperties.StoreProperties settings) {
    return switch (settings.equality()) {
      case IDENTITY -> Equivalence.identity();
      case EQUALS -> Equivalence.equality();
    };
  }

  @Override
  @SuppressWarnings("unchecked")
  public synchronized <S> Store<S> get(String name) {
    Store<?> store = stores.get(name);
    if (store == null) {
      throw new NoSuchElementException(
          "no store named '" + name + "'; the StoreFactory has " + stores.keySet());
    }
    return (Store<S>) store;
  }

  @Override
  public synchronized Map<String, Store<?>> stores() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(stores));
  }

  @Override
  public synchronized Optional<TypeRef<?>> stateType(String name) {
    return Optional.ofNullable(types.get(name));
  }

  @Override
  public SnapfluxProperties.StoreProperties settings(String name) {
    return properties.store(name);
  }

  @Override
  public StoreBackend backend() {
    return backend;
  }

  /** Closes every store; later {@code create} calls fail. Idempotent. */
  void close() {
    List<Store<?>> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(stores.values());
    }
    for (Store<?> store : toClose) {
      try {
        store.close();
      } catch (RuntimeException e) {
        log.warn("Failed to close Snapflux store '" + store.name() + "'", e);
      }
    }
  }

  @Override
  public void destroy() {
    close();
  }

  @Override
  public String toString() {
    return "StoreFactory{backend=" + backend.id() + ", stores=" + stores().keySet() + "}";
  }
}
