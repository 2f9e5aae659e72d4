package io.snapflux.redis;

import io.snapflux.store.Store;
import io.snapflux.store.StoreContractTest;
import io.snapflux.store.TypeRef;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the {@link StoreContractTest} suite against {@link RedisStore} on a test-owned Redis. */
final class RedisStoreContractTest extends StoreContractTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = new RedisServerExtension();

  @Override
  protected <S> Store<S> createStore(S initial) {
    return builder(initial).build();
  }

  /** History comes from the store's options, as the starter's {@code history-size} gives it. */
  @Override
  protected <S> java.util.Optional<Store<S>> createStoreWithHistory(S initial, int size) {
    return java.util.Optional.of(builder(initial).history(size).build());
  }

  @Override
  protected <S> Store<S> createStore(TypeRef<S> type, S initial) {
    return typed("contract-" + UUID.randomUUID(), type, initial);
  }

  /** A second instance of the same Redis store: it decodes the state written by the first. */
  @Override
  protected <S> Store<S> reopen(Store<S> store, TypeRef<S> type, S initial) {
    return typed(store.name(), type, initial);
  }

  private static <S> Store<S> typed(String name, TypeRef<S> type, S initial) {
    return RedisStore.builder(name, initial).client(REDIS.client()).type(type).build();
  }

  /**
   * The validator comes the way an application's does: configured on an in-memory {@link
   * io.snapflux.store.StoreBuilder} (as the Spring starter's customizer does) and taken over with
   * {@link RedisStoreBuilder#options}, so the suite checks the commit rules on the Redis write
   * path.
   */
  @Override
  protected <S> Store<S> createValidatedStore(
      S initial, String description, Predicate<? super S> check) {
    return builder(initial).options(Store.builder(initial).validator(description, check)).build();
  }

  private static <S> RedisStoreBuilder<S> builder(S initial) {
    return RedisStore.builder("contract-" + UUID.randomUUID(), initial)
        .client(REDIS.client())
        .codec(TestCodecs.jsonFor(initial));
  }
}
