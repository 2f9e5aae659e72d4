package io.snapflux.spring.web;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;

/**
 * A conditional write whose {@code If-Match} named no current version of the store: HTTP 412
 * Precondition Failed. Nothing was changed.
 *
 * <p>Its {@link #getBody() body} is an RFC 9457 problem detail naming the current validator
 * ({@code currentEpoch} and {@code currentVersion}, also in {@code detail}) and what the request expected ({@code
 * expected}); its {@link #getHeaders() headers} carry the current {@code ETag}, so a client can
 * re-read and retry.
 *
 * <p>Being a {@link ResponseStatusException}, it becomes a 412 without any configuration (WebFlux's
 * {@code ResponseStatusExceptionHandler}, Spring Boot's error handling); with {@code
 * spring.webflux.problemdetails.enabled=true}, or an application's {@code
 * ResponseEntityExceptionHandler}, the response body is the problem detail. To map it yourself:
 *
 * <pre>{@code
 * @ExceptionHandler
 * ResponseEntity<ProblemDetail> onPreconditionFailed(PreconditionFailedException e) {
 *   return e.toResponseEntity();
 * }
 * }</pre>
 */
public final class PreconditionFailedException extends ResponseStatusException {

  private static final long serialVersionUID = 1L;

  private final String storeName;
  private final VersionToken current;
  private final String expected;

  /**
   * @param storeName the store the write was for
   * @param current the current validator of what the write was for (the store's token, or an
   *     entity's)
   * @param expected the request's {@code If-Match} as written
   */
  public PreconditionFailedException(String storeName, VersionToken current, String expected) {
    super(HttpStatus.PRECONDITION_FAILED, "The resource is at version " + current.version()
        + " of epoch " + current.epoch() + " (ETag " + current.eTag() + "), but If-Match expected "
        + expected + "; nothing was changed: read the current version and retry");
    this.storeName = storeName;
    this.current = current;
    this.expected = expected;
    ProblemDetail body = getBody();
    body.setTitle("Precondition Failed");
    body.setProperty("currentEpoch", current.epoch());
    body.setProperty("currentVersion", current.version());
    body.setProperty("expected", expected);
  }

  /** The store the write was for. */
  public String storeName() {
    return storeName;
  }

  /** The current validator when the condition was evaluated (also the response's {@code ETag}). */
  public VersionToken current() {
    return current;
  }

  /** The version of {@link #current()}. */
  public long currentVersion() {
    return current.version();
  }

  /** The {@code If-Match} field of the request. */
  public String expected() {
    return expected;
  }

  @Override
  public HttpHeaders getHeaders() {
    HttpHeaders headers = new HttpHeaders();
    headers.setETag(current.eTag());
    return headers;
  }

  /** A 412 response with the problem body and the current {@code ETag}. */
  public ResponseEntity<ProblemDetail> toResponseEntity() {
    return ResponseEntity.status(getStatusCode()).headers(getHeaders()).body(getBody());
  }
}
