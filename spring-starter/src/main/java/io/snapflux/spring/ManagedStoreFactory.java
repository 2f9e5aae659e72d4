package io.snapflux.spring;

import io.snapflux.store.Equivalence;
import io.snapflux.store.Store;
import io.snapflux.store.StoreBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The {@link StoreFactory} bean: builds stores from properties, delegates to the backend, applies
 * decorators, keeps the registry, and closes every store when the context stops.
 *
 * <pre>
 * Implementation notes.
 *
 * Registry. A LinkedHashMap guarded by this object's monitor: stores are created a handful of
 * times at startup, so a lock is simpler than a concurrent map and keeps creation order for the
 * endpoint. stores() hands out a copy.
 *
 * Shutdown. The factory is a SmartLifecycle in phase DEFAULT_PHASE (Integer.MAX_VALUE), the
 * first phase to stop, ahead of the web server's graceful shutdown (DEFAULT_PHASE - 1024) and of
 * the web server itself (DEFAULT_PHASE - 2048). Closing a store completes every subscriber after
 * the final snapshot, so SSE streams built on the store end cleanly and graceful shutdown does not
 * wait its whole timeout for streams that would never end. The price: a write still in flight
 * during graceful shutdown fails with StoreClosedException. Durable backends flush on close, so
 * closing first is also what they want. destroy() closes again (idempotent) for contexts whose
 * lifecycle never started, e.g. a refresh that failed.
 *
 * Invariants (and the tests that check them):
 *  1. Names are unique. (SnapfluxAutoConfigurationTest.create_duplicateName_fails)
 *  2. Per-store properties apply; the customizer runs after them.
 *     (SnapfluxAutoConfigurationTest.create_appliesEqualityProperty,
 *     create_appliesHistorySizeProperty, create_customizerRunsAfterProperties)
 *  3. Every created store is closed when the context closes, before the web server's graceful
 *     shutdown. (SnapfluxAutoConfigurationTest.contextClose_closesStoresAndCompletesSubscribers,
 *     StarterApplicationTest.closingTheApplication_completesOpenSseStreams)
 *  4. The registered store is the decorated one. (SnapfluxMetricsTest.factoryStore_isTimedWrapperForwardingReads)
 * </pre>
 */
final class ManagedStoreFactory implements StoreFactory, SmartLifecycle, DisposableBean {

  private static final Log log = LogFactory.getLog(ManagedStoreFactory.class);

  private final SnapfluxProperties properties;
  private final StoreBackend backend;
  private final List<StoreDecorator> decorators;
  private final Map<String, Store<?>> stores = new LinkedHashMap<>();
  private boolean running;
  private boolean closed;

  ManagedStoreFactory(
      SnapfluxProperties properties, StoreBackend backend, List<StoreDecorator> decorators) {
    this.properties = Objects.requireNonNull(properties, "properties");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.decorators = List.copyOf(decorators);
  }

  @Override
  public <S> Store<S> create(String name, S initial, Consumer<StoreBuilder<S>> customizer) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(customizer, "customizer");
    SnapfluxProperties.StoreProperties settings = properties.store(name);
    StoreBuilder<S> builder = Store.builder(initial)
        .name(name)
        .equivalence(equivalence(settings))
        .history(settings.historySize());
    customizer.accept(builder);
    StoreDefinition<S> definition = new StoreDefinition<>(name, initial, settings, builder);
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
      running = false;
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
  public synchronized void start() {
    running = true;
  }

  @Override
  public void stop() {
    close();
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }

  @Override
  public void destroy() {
    close();
  }

  @Override
  public String toString() {
    return "StoreFactory{backend=" + backend.kind().id() + ", stores=" + stores().keySet() + "}";
  }
}
