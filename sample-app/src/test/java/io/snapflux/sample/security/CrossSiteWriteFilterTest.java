package io.snapflux.sample.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

final class CrossSiteWriteFilterTest {

  private final CrossSiteWriteFilter filter = new CrossSiteWriteFilter(
      new SecurityProperties(List.of("https://Admin.Example.com/"),
          new SecurityProperties.FailedAuthentication(10, java.time.Duration.ofMinutes(1), 10)),
      tools.jackson.databind.json.JsonMapper.builder().build());

  private boolean passes(MockServerHttpRequest.BaseBuilder<?> request) {
    AtomicBoolean passed = new AtomicBoolean();
    MockServerWebExchange exchange = MockServerWebExchange.from(request);
    filter.filter(exchange, e -> {
      passed.set(true);
      return Mono.empty();
    }).block();
    if (!passed.get()) {
      assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }
    return passed.get();
  }

  @Test
  void allowedOrigin_passesEvenCrossSite_othersDoNot() {
    assertThat(passes(MockServerHttpRequest.post("http://svc.example/api/undo")
        .header("Origin", "https://admin.example.com").header("Sec-Fetch-Site", "cross-site")))
        .isTrue();
    assertThat(passes(MockServerHttpRequest.post("http://svc.example/api/undo")
        .header("Origin", "https://admin.example.org").header("Sec-Fetch-Site", "cross-site")))
        .isFalse();
  }

  @Test
  void ownOrigin_passes_onDefaultAndExplicitPorts() {
    assertThat(passes(MockServerHttpRequest.delete("https://svc.example/api/flags/x")
        .header("Origin", "https://svc.example"))).isTrue();
    assertThat(passes(MockServerHttpRequest.delete("http://svc.example:8080/api/flags/x")
        .header("Origin", "http://svc.example:8080"))).isTrue();
    assertThat(passes(MockServerHttpRequest.delete("http://svc.example:8080/api/flags/x")
        .header("Origin", "http://svc.example:8081"))).isFalse();
  }

  @Test
  void safeMethods_andRequestsWithoutBrowserHeaders_pass() {
    assertThat(passes(MockServerHttpRequest.get("http://svc.example/api/state")
        .header("Origin", "https://evil.example").header("Sec-Fetch-Site", "cross-site")))
        .isTrue();
    assertThat(passes(MockServerHttpRequest.put("http://svc.example/api/flags/x"))).isTrue();
    assertThat(passes(MockServerHttpRequest.post("http://svc.example/api/undo")
        .header("Sec-Fetch-Site", "none"))).isTrue();
  }
}
