package io.snapflux.store;

import java.util.function.Predicate;

/** Runs the {@link StoreContractTest} suite against the in-memory store. */
final class AtomicStoreContractTest extends StoreContractTest {

  @Override
  protected <S> Store<S> createStore(S initial) {
    return Store.of(initial);
  }

  @Override
  protected <S> Store<S> createStore(TypeRef<S> type, S initial) {
    return Store.of(type.requireInstance(initial));
  }

  @Override
  protected <S> Store<S> createValidatedStore(
      S initial, String description, Predicate<? super S> check) {
    return Store.builder(initial).validator(description, check).build();
  }

  @Override
  protected <S> java.util.Optional<Store<S>> createStoreWithHistory(S initial, int size) {
    return java.util.Optional.of(Store.builder(initial).history(size).build());
  }
}
