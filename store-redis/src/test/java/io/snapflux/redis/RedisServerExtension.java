package io.snapflux.redis;

import io.lettuce.core.RedisClient;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test-owned {@code redis-server} (see {@link RedisServerProcess}) and a Lettuce client on it,
 * for the lifetime of one test class:
 * {@code @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();}
 * Its {@code beforeAll} runs before the class's own {@code @BeforeAll} methods, so those may use
 * {@link #client()}.
 */
final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

  private @Nullable RedisServerProcess server;
  private @Nullable RedisClient client;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = RedisServerProcess.start();
    client = RedisClient.create(server.uri());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (client != null) {
      client.shutdown();
    }
    if (server != null) {
      server.stop();
    }
  }

  /** The client connected to this class's server. */
  RedisClient client() {
    return Objects.requireNonNull(client, "the Redis server has not been started");
  }
}
