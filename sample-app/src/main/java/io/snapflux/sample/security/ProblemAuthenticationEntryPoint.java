package io.snapflux.sample.security;

import tools.jackson.databind.ObjectMapper;
import io.snapflux.sample.web.Problems;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Answers a request without valid credentials with 401 and an RFC 9457 problem, and counts a
 * failed attempt (credentials sent but not accepted) against the client in the {@link
 * AuthenticationThrottle}.
 *
 * <p>The {@code WWW-Authenticate: Basic} challenge goes only to clients that are not browsers. A
 * browser that receives it shows its native credentials dialog and then attaches what the user
 * typed to every later request to this origin, including forms other sites post here; the page
 * has its own sign-in form instead. A request is taken as a browser's when it carries any of the
 * headers browsers add and scripts elsewhere rarely do: {@code Sec-Fetch-Mode}, {@code Origin} or
 * {@code X-Requested-With}. curl and other HTTP clients get the challenge as usual.
 */
final class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

  static final String REALM = "snapflux";

  private final ObjectMapper json;
  private final AuthenticationThrottle throttle;

  ProblemAuthenticationEntryPoint(ObjectMapper json, AuthenticationThrottle throttle) {
    this.json = json;
    this.throttle = throttle;
  }

  @Override
  public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException e) {
    HttpHeaders request = exchange.getRequest().getHeaders();
    if (!fromBrowser(request)) {
      exchange.getResponse().getHeaders()
          .set(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    }
    boolean attempted = request.containsHeader(HttpHeaders.AUTHORIZATION);
    if (attempted) {
      throttle.failed(exchange);
    }
    return Problems.write(exchange, json, Problems.of(exchange, HttpStatus.UNAUTHORIZED,
        "Authentication required",
        attempted
            ? "The credentials were not accepted"
                + (e instanceof MalformedCredentialsException ? ": " + e.getMessage() : "")
            : "Changing flags requires HTTP Basic credentials (sample.admin.username/password)"));
  }

  static boolean fromBrowser(HttpHeaders request) {
    return request.containsHeader("Sec-Fetch-Mode")
        || request.containsHeader(HttpHeaders.ORIGIN)
        || request.containsHeader("X-Requested-With");
  }
}
