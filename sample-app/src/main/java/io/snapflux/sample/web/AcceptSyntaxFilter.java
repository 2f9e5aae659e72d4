package io.snapflux.sample.web;

import tools.jackson.databind.ObjectMapper;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Answers a request whose {@code Accept} header cannot be parsed with a 400 problem naming the
 * header, before anything else runs. Left to the framework, such a request got a 406 with an empty
 * body: the problem it raised could not be written, since writing it needed the very header that
 * was broken.
 */
@Component
class AcceptSyntaxFilter implements WebFilter, Ordered {

  private final ObjectMapper json;

  AcceptSyntaxFilter(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    List<String> accept = exchange.getRequest().getHeaders().get(HttpHeaders.ACCEPT);
    if (accept != null) {
      try {
        MediaType.parseMediaTypes(accept);
      } catch (InvalidMediaTypeException e) {
        return Problems.write(exchange, json, Problems.of(exchange, HttpStatus.BAD_REQUEST,
            "Malformed Accept header",
            "The Accept header is not a list of media types: " + e.getMessage()));
      }
    }
    return chain.filter(exchange);
  }

  /** Right after the body-size check, before security: a malformed request is never authenticated. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 1;
  }
}
