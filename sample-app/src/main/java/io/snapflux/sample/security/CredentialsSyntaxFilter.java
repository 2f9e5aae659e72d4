package io.snapflux.sample.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Answers 401 to any request whose {@code Authorization} header is not well-formed HTTP Basic
 * credentials, whatever the path. Spring Security's Basic filter ignores such a header and lets
 * the request through as anonymous, so a public read with a garbled header answered 200 while
 * the same read with a wrong password answered 401; a client that sends credentials wants them
 * checked, so both now answer 401 (and both count as a failed attempt).
 */
final class CredentialsSyntaxFilter implements WebFilter {

  private final ServerAuthenticationEntryPoint entryPoint;

  CredentialsSyntaxFilter(ServerAuthenticationEntryPoint entryPoint) {
    this.entryPoint = entryPoint;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    List<String> values = exchange.getRequest().getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (values == null) {
      return chain.filter(exchange);
    }
    String problem = values.size() != 1 ? "more than one Authorization header" : problem(values.get(0));
    return problem == null
        ? chain.filter(exchange)
        : entryPoint.commence(exchange, new MalformedCredentialsException(problem));
  }

  /** What is wrong with the header's value, or null when it is well-formed Basic credentials. */
  static @Nullable String problem(String value) {
    int space = value.indexOf(' ');
    String scheme = space < 0 ? value : value.substring(0, space);
    if (!scheme.toLowerCase(Locale.ROOT).equals("basic")) {
      return "only the Basic scheme is accepted, not '" + abbreviate(scheme) + "'";
    }
    String token = space < 0 ? "" : value.substring(space + 1).trim();
    if (token.isEmpty()) {
      return "the Basic credentials are missing";
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return "the Basic credentials are not valid Base64";
    }
    if (new String(decoded, StandardCharsets.UTF_8).indexOf(':') < 0) {
      return "the Basic credentials must be Base64 of user:password";
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() <= 20 ? s : s.substring(0, 17) + "...";
  }
}
