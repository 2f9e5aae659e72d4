package io.snapflux.sample.security;

import io.snapflux.sample.web.Problems;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Answers a write without valid credentials with 401 and an RFC 9457 problem.
 *
 * <p>The {@code WWW-Authenticate: Basic} challenge is left out when the request says it comes
 * from script ({@code X-Requested-With: XMLHttpRequest}, as the page sends), so the browser shows
 * the page's own login form instead of its native credentials dialog; curl and other clients get
 * the challenge as usual.
 */
final class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

  static final String REALM = "snapflux";

  private final ObjectMapper json;

  ProblemAuthenticationEntryPoint(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException e) {
    HttpHeaders request = exchange.getRequest().getHeaders();
    if (!"XMLHttpRequest".equals(request.getFirst("X-Requested-With"))) {
      exchange.getResponse().getHeaders()
          .set(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    }
    boolean attempted = request.containsHeader(HttpHeaders.AUTHORIZATION);
    return Problems.write(exchange, json, Problems.of(exchange, HttpStatus.UNAUTHORIZED,
        "Authentication required",
        attempted
            ? "The credentials were not accepted"
            : "Changing flags requires HTTP Basic credentials (sample.admin.username/password)"));
  }
}
