package io.snapflux.redis;

import io.lettuce.core.RedisClient;
import io.snapflux.store.Store;
import io.snapflux.store.StoreContractTest;
import java.io.IOException;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Runs the {@link StoreContractTest} suite against {@link RedisStore} on a test-owned Redis. */
final class RedisStoreContractTest extends StoreContractTest {

  private static RedisServerProcess server;
  private static RedisClient client;

  @BeforeAll
  static void startRedis() throws IOException {
    server = RedisServerProcess.start();
    client = RedisClient.create(server.uri());
  }

  @AfterAll
  static void stopRedis() {
    if (client != null) {
      client.shutdown();
    }
    if (server != null) {
      server.stop();
    }
  }

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
        .client(client)
        .codec(TestCodecs.jsonFor(initial));
  }
}
