package io.snapflux.client;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a {@link RemoteStore}'s {@linkplain RemoteStore#stats() counters} as Micrometer meters
 * (Micrometer is an optional dependency of the client; only this class needs it).
 *
 * <table>
 *   <caption>Meters, each tagged {@code store=<name>}</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code snapflux.client.lag}</td><td>time gauge</td><td>how long after its commit the
 *       newest state was applied (by the server's timestamp)</td></tr>
 *   <tr><td>{@code snapflux.client.lag.versions}</td><td>gauge</td><td>versions the state held
 *       is behind the newest the client knows of (a bookmark, a write's {@code ETag})</td></tr>
 *   <tr><td>{@code snapflux.client.version}</td><td>gauge</td><td>the version held (NaN before
 *       the first)</td></tr>
 *   <tr><td>{@code snapflux.client.reconnects}</td><td>function counter</td><td>attempts to
 *       reopen the stream</td></tr>
 *   <tr><td>{@code snapflux.client.resyncs}</td><td>function counter</td><td>whole states
 *       replaced (resync events, new epochs)</td></tr>
 *   <tr><td>{@code snapflux.client.rejected.patches}</td><td>function counter</td><td>patches
 *       refused for a wrong base</td></tr>
 * </table>
 */
public final class ClientMeters {

  private ClientMeters() {}

  /**
   * Registers the meters of {@code store}.
   *
   * @param store the client
   * @param name the value of the {@code store} tag
   * @param registry where to register
   */
  public static void bind(RemoteStore<?> store, String name, MeterRegistry registry) {
    Tags tags = Tags.of("store", name);
    TimeGauge.builder("snapflux.client.lag", store,
            TimeUnit.MILLISECONDS, s -> s.stats().lag().toMillis())
        .tags(tags)
        .description("How long after its commit the newest state was applied")
        .register(registry);
    Gauge.builder("snapflux.client.lag.versions", store, s -> s.stats().versionsBehind())
        .tags(tags)
        .description("Versions the state held is behind the newest known to exist")
        .register(registry);
    Gauge.builder("snapflux.client.version", store, s -> {
          VersionToken token = s.stats().token();
          return token == null ? Double.NaN : token.version();
        })
        .tags(tags)
        .description("The version of the state held")
        .register(registry);
    FunctionCounter.builder("snapflux.client.reconnects", store, s -> s.stats().reconnects())
        .tags(tags)
        .description("Attempts to reopen the event stream after a drop, an end or a rejected patch")
        .register(registry);
    FunctionCounter.builder("snapflux.client.resyncs", store, s -> s.stats().resyncs())
        .tags(tags)
        .description("Whole states replaced: resync events and new epochs")
        .register(registry);
    FunctionCounter.builder("snapflux.client.rejected.patches", store,
            s -> s.stats().rejectedPatches())
        .tags(tags)
        .description("Patches or bookmarks refused because they did not continue the state held")
        .register(registry);
  }
}
