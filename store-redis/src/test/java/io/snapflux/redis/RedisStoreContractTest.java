package io.snapflux.redis;

import io.snapflux.store.Store;
import io.snapflux.store.StoreContractTest;
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
