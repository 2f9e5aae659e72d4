package io.snapflux.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientMetersTest {

  @Test
  void publishesReconnectsResyncsLagAndVersion() throws Exception {
    try (FakeServer server = new FakeServer();
         RemoteStore<?> store = RemoteStore.builder(server.uri())
             .backoff(Duration.ofMillis(10), Duration.ofMillis(20)).connect()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ClientMeters.bind(store, "flags", registry);
      assertThat(registry.get("snapflux.client.version").tag("store", "flags").gauge().value()).isNaN();
      FakeServer.Connection c = server.nextConnection();
      c.send("snapshot", "e.1", RemoteStoreTest.doc("e", 1, "{}"));
      await().until(() -> store.stats().events() == 1);
      c.end();
      String minuteAgo = java.time.Instant.now().minusSeconds(60).toString();
      server.nextConnection().send("resync", "f.3",
          "{\"epoch\":\"f\",\"version\":3,\"state\":{},\"timestamp\":\"" + minuteAgo + "\"}");
      await().until(() -> store.stats().resyncs() == 1);
      assertThat(registry.get("snapflux.client.reconnects").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("snapflux.client.resyncs").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("snapflux.client.rejected.patches").functionCounter().count()).isZero();
      assertThat(registry.get("snapflux.client.version").gauge().value()).isEqualTo(3);
      assertThat(registry.get("snapflux.client.lag.versions").gauge().value()).isZero();
      // Committed a minute before it was applied.
      assertThat(registry.get("snapflux.client.lag").timeGauge().value(TimeUnit.MILLISECONDS))
          .isEqualTo((double) store.stats().lag().toMillis()).isBetween(60_000.0, 120_000.0);
    }
  }
}
