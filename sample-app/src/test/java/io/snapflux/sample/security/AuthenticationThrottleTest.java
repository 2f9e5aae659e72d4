package io.snapflux.sample.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

final class AuthenticationThrottleTest {

  private final AtomicLong nanos = new AtomicLong(1_000);
  private final AuthenticationThrottle throttle = new AuthenticationThrottle(
      new SecurityProperties.FailedAuthentication(2, Duration.ofSeconds(30), 2),
      nanos::get, tools.jackson.databind.json.JsonMapper.builder().build());

  private static MockServerWebExchange from(String address) {
    return MockServerWebExchange.from(MockServerHttpRequest.get("/api/whoami")
        .remoteAddress(new InetSocketAddress(address, 40000)));
  }

  @Test
  void refusal_startsAtTheLimit_andEndsWithTheWindow() {
    throttle.failed(from("198.51.100.1"));
    assertThat(throttle.retryAfter(from("198.51.100.1"))).isZero();
    throttle.failed(from("198.51.100.1"));
    assertThat(throttle.retryAfter(from("198.51.100.1"))).isEqualTo(Duration.ofSeconds(30));
    assertThat(throttle.retryAfter(from("198.51.100.2"))).isZero();

    nanos.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(throttle.retryAfter(from("198.51.100.1"))).isEqualTo(Duration.ofSeconds(1));
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(throttle.retryAfter(from("198.51.100.1"))).isZero();
  }

  @Test
  void aFailureAfterTheWindow_opensANewOne() {
    throttle.failed(from("198.51.100.3"));
    nanos.addAndGet(Duration.ofSeconds(31).toNanos());
    throttle.failed(from("198.51.100.3"));
    assertThat(throttle.retryAfter(from("198.51.100.3"))).isZero();
  }
}
