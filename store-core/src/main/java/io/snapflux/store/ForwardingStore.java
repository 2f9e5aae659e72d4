package io.snapflux.store;

import io.vavr.Tuple2;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A {@link Store} that forwards every call to another store; extend it to decorate a store
 * (metrics, tracing, access control) by overriding only what you change (Guava's {@code
 * Forwarding*} idiom). Every method of {@code Store} that a backend may implement is forwarded,
 * so a decorator never silently falls back to a default implementation.
 *
 * @param <S> the type of the state
 */
public abstract class ForwardingStore<S> implements Store<S> {

  private final Store<S> delegate;

  /**
   * @param delegate the store to forward to
   */
  protected ForwardingStore(Store<S> delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store calls are forwarded to. */
  protected Store<S> delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Snapshot<S> snapshot() {
    return delegate.snapshot();
  }

  @Override
  public Snapshot<S> update(@Nullable Object cause, UnaryOperator<S> fn) {
    return delegate.update(cause, fn);
  }

  @Override
  public boolean compareAndSet(long expectedVersion, S newState) {
    return delegate.compareAndSet(expectedVersion, newState);
  }

  @Override
  public Outcome<S> updateIfVersion(
      long expectedVersion, @Nullable Object cause, UnaryOperator<S> fn) {
    return delegate.updateIfVersion(expectedVersion, cause, fn);
  }

  @Override
  public Flux<Snapshot<S>> changes(Delivery delivery) {
    return delegate.changes(delivery);
  }

  /** The delegate's asynchronous writes; override to decorate them. */
  @Override
  public AsyncWrites<S> async() {
    return delegate.async();
  }

  /** The delegate's history capability; override to decorate it. */
  @Override
  public Optional<History<S>> history() {
    return delegate.history();
  }

  @Override
  public StoreStats stats() {
    return delegate.stats();
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + delegate + "}";
  }
}
