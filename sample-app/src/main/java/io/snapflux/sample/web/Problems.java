package io.snapflux.sample.web;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Writes an RFC 9457 problem from code that runs before any controller (web filters, the security
 * entry point), where {@code @ControllerAdvice} does not reach.
 */
public final class Problems {

  private Problems() {}

  /** A problem with the request path as its {@code instance}. */
  public static ProblemDetail of(ServerWebExchange exchange, HttpStatus status, String title,
      String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title);
    problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
    return problem;
  }

  /** Completes the response with {@code problem} as {@code application/problem+json}. */
  public static Mono<Void> write(ServerWebExchange exchange, ObjectMapper json,
      ProblemDetail problem) {
    ServerHttpResponse response = exchange.getResponse();
    response.setRawStatusCode(problem.getStatus());
    response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(problem);
    } catch (JacksonException e) {
      return Mono.error(e);
    }
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
  }
}
