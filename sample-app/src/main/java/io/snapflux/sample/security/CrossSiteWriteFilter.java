package io.snapflux.sample.security;

import tools.jackson.databind.ObjectMapper;
import io.snapflux.sample.web.Problems;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses state-changing requests that a browser sends on behalf of another site: the CSRF
 * defence of a service authenticated by HTTP Basic, where a token would need a session the sample
 * does not keep.
 *
 * <p>A browser that has ever answered a Basic challenge attaches those credentials to every
 * request to this origin, including a form that another site posts here. Browsers also say where
 * such a request comes from, and no page can forge that: {@code Sec-Fetch-Site} (all current
 * browsers) and {@code Origin} (on every cross-origin request and every non-GET). So for every
 * method but GET, HEAD, OPTIONS and TRACE:
 *
 * <ol>
 *   <li>{@code Sec-Fetch-Site}, when present, must be {@code same-origin} or {@code none} (typed
 *       by the user); {@code same-site} and {@code cross-site} are refused, unless the {@code
 *       Origin} is one of {@code sample.security.allowed-origins};
 *   <li>otherwise {@code Origin}, when present, must be the service's own origin or an allowed
 *       one ({@code Origin: null}, sent by sandboxed frames and some redirects, is refused);
 *   <li>a request with neither header does not come from a browser's cross-site context (curl,
 *       scripts, other services) and passes: its credentials are its own.
 * </ol>
 *
 * <p>The refusal is a 403 problem sent before authentication, so it changes nothing. Behind a
 * proxy, set {@code server.forward-headers-strategy} so that the service's own origin is the one
 * the browser sees.
 */
final class CrossSiteWriteFilter implements WebFilter {

  private static final Set<HttpMethod> SAFE =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE);

  private final List<String> allowedOrigins;
  private final ObjectMapper json;

  CrossSiteWriteFilter(SecurityProperties properties, ObjectMapper json) {
    this.allowedOrigins = properties.allowedOrigins();
    this.json = json;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String refusal = SAFE.contains(exchange.getRequest().getMethod()) ? null : refusal(exchange);
    if (refusal == null) {
      return chain.filter(exchange);
    }
    return Problems.write(exchange, json,
        Problems.of(exchange, HttpStatus.FORBIDDEN, "Cross-site write refused", refusal));
  }

  /** Why the request is refused, or null when it may proceed. */
  private @Nullable String refusal(ServerWebExchange exchange) {
    HttpHeaders headers = exchange.getRequest().getHeaders();
    String site = headers.getFirst("Sec-Fetch-Site");
    String origin = headers.getOrigin();
    boolean allowedOrigin = origin != null && allowedOrigins.contains(SecurityProperties.normalise(origin));
    if (site != null) {
      if (site.equals("same-origin") || site.equals("none") || allowedOrigin) {
        return null;
      }
      return "The browser reports this request as " + site + " (Sec-Fetch-Site); changes are "
          + "accepted only from this service's own page or an origin in "
          + "sample.security.allowed-origins";
    }
    String own = ownOrigin(exchange);
    if (origin == null || allowedOrigin || origin.equalsIgnoreCase(own)) {
      return null;
    }
    return "Changes are not accepted from the origin " + origin + "; only from " + own
        + " or an origin in sample.security.allowed-origins";
  }

  private static String ownOrigin(ServerWebExchange exchange) {
    URI uri = exchange.getRequest().getURI();
    int port = uri.getPort();
    boolean defaultPort = port == -1
        || (port == 80 && "http".equals(uri.getScheme()))
        || (port == 443 && "https".equals(uri.getScheme()));
    return uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port);
  }
}
