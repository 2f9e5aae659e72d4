package io.snapflux.sample.web;

import io.snapflux.store.StateValidationException;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/**
 * Every error a handler raises becomes an RFC 9457 {@code application/problem+json} response.
 * Spring's {@link ResponseEntityExceptionHandler} covers the framework's own errors (malformed
 * JSON 400, 404 for unknown paths, 405, 413, 415); the app's errors are {@link
 * org.springframework.web.ErrorResponseException}s carrying their own problem, and the starter's
 * conditional-request errors (412, malformed {@code If-Match} 400) are {@link
 * org.springframework.web.server.ResponseStatusException}s with theirs, which it handles too.
 * Errors raised before a handler is chosen (security, body size) are written by {@link
 * Problems}.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

  /** Says what was wrong with an unreadable body, rather than Spring's generic detail. */
  @Override
  protected Mono<ResponseEntity<Object>> handleServerWebInputException(
      ServerWebInputException e, HttpHeaders headers, HttpStatusCode status,
      ServerWebExchange exchange) {
    if (e.getCause() instanceof DecodingException decoding) {
      e.getBody().setTitle("Malformed JSON");
      e.getBody().setDetail("The request body is not valid JSON: " + rootMessage(decoding));
    } else if (e.getReason() != null && e.getReason().startsWith("No request body")) {
      e.getBody().setDetail("The request body is missing");
    }
    return super.handleServerWebInputException(e, headers, status, exchange);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = String.valueOf(t.getMessage());
    int newline = message.indexOf('\n');
    message = newline < 0 ? message : message.substring(0, newline);
    return message.length() <= 200 ? message : message.substring(0, 197) + "...";
  }

  /** A store validator refused the change (the flag limit): nothing was committed. */
  @ExceptionHandler(StateValidationException.class)
  Mono<ResponseEntity<ProblemDetail>> invalidState(StateValidationException e,
      ServerWebExchange exchange) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    problem.setTitle("Change refused");
    return Mono.just(ResponseEntity.badRequest().body(problem));
  }
}
