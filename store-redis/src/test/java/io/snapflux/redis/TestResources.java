package io.snapflux.redis;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one test opened (servers, proxies, stores, subscriptions), closed in reverse order by
 * {@link #close()} from the test's {@code @AfterEach}.
 */
final class TestResources implements AutoCloseable {

  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

  void add(AutoCloseable resource) {
    resources.add(resource);
  }

  /** A test-owned in-memory {@code redis-server} on a free loopback port. */
  RedisServerProcess server() throws IOException {
    RedisServerProcess server = RedisServerProcess.start();
    resources.add(server);
    return server;
  }

  /** A fault proxy in front of {@code server}. */
  TcpProxy proxy(RedisServerProcess server) throws IOException {
    TcpProxy proxy = new TcpProxy(server.port());
    resources.add(proxy);
    return proxy;
  }

  @Override
  public void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }
}
