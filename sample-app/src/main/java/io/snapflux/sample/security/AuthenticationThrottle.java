package io.snapflux.sample.security;

import tools.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.snapflux.sample.web.Problems;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Throttles guessing: once a client address has failed authentication {@code limit} times within
 * a window, requests from it that carry credentials are answered with 429 and {@code Retry-After}
 * until the window ends, without the credentials being checked at all. Requests without
 * credentials (the public reads) and every other address are unaffected, so a flood of wrong
 * passwords costs its sender, not the service's users.
 *
 * <p>Implementation notes: a fixed window per address, opened by its first failure; the windows
 * live in a Caffeine cache bounded by {@code maximum-clients} entries and expiring a window after
 * its length, so memory stays bounded whatever the number of addresses. Counting is a
 * compare-and-set on an immutable {@link Window}; no lock, nothing blocks the event loop. The
 * address is the connection's peer, or the forwarded client when {@code
 * server.forward-headers-strategy} is set behind a trusted proxy.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>an address with fewer than {@code limit} failures in its window is never refused
 *       ({@code SecurityHardeningTest.failedAuthentication_pastTheLimit_is429WithRetryAfter_
 *       andOtherClientsAreUnaffected});
 *   <li>past the limit, a request with credentials is refused even if they are right, and changes
 *       nothing (same test); the refusal ends with the window ({@code
 *       AuthenticationThrottleTest}).
 * </ul>
 */
final class AuthenticationThrottle implements WebFilter {

  /** The failures of one address since {@code start} (nanoTime). */
  private record Window(long start, int failures) {}

  private final int limit;
  private final long windowNanos;
  private final Ticker ticker;
  private final Cache<String, Window> windows;
  private final ObjectMapper json;

  AuthenticationThrottle(SecurityProperties.FailedAuthentication settings, Ticker ticker,
      ObjectMapper json) {
    this.limit = settings.limit();
    this.windowNanos = settings.window().toNanos();
    this.ticker = ticker;
    this.json = json;
    this.windows = Caffeine.newBuilder()
        .maximumSize(settings.maximumClients())
        .expireAfterWrite(settings.window())
        .ticker(ticker)
        .build();
  }

  /** Records one failed authentication by the client of {@code exchange}. */
  void failed(ServerWebExchange exchange) {
    long now = ticker.read();
    windows.asMap().compute(client(exchange), (address, w) ->
        w == null || now - w.start() >= windowNanos
            ? new Window(now, 1)
            : new Window(w.start(), w.failures() + 1));
  }

  /** How long the client must wait, or {@link Duration#ZERO} when it may try. */
  Duration retryAfter(ServerWebExchange exchange) {
    Window w = windows.getIfPresent(client(exchange));
    if (w == null || w.failures() < limit) {
      return Duration.ZERO;
    }
    long left = w.start() + windowNanos - ticker.read();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)) {
      return chain.filter(exchange);
    }
    Duration wait = retryAfter(exchange);
    if (wait.isZero()) {
      return chain.filter(exchange);
    }
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    return Problems.write(exchange, json, Problems.of(exchange, HttpStatus.TOO_MANY_REQUESTS,
        "Too many failed sign-ins",
        "This client failed authentication " + limit + " times; try again in " + seconds
            + " s"));
  }

  private static String client(ServerWebExchange exchange) {
    InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
    if (remote == null) {
      return "unknown";
    }
    return remote.getAddress() != null ? remote.getAddress().getHostAddress()
        : remote.getHostString();
  }
}
