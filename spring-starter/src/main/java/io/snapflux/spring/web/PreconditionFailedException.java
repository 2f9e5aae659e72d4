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
 * <p>Its {@link #getBody() body} is an RFC 9457 problem detail naming the current version
 * ({@code currentVersion}, also in {@code detail}) and what the request expected ({@code
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
  private final long currentVersion;
  private final String expected;

  /**
   * @param storeName the store the write was for
   * @param currentVersion the version the store is at
   * @param expected the request's {@code If-Match} as written
   */
  public PreconditionFailedException(String storeName, long currentVersion, String expected) {
    super(HttpStatus.PRECONDITION_FAILED, "The resource is at version " + currentVersion
        + " (ETag \"" + currentVersion + "\"), but If-Match expected " + expected
        + "; nothing was changed: read the current version and retry");
    this.storeName = storeName;
    this.currentVersion = currentVersion;
    this.expected = expected;
    ProblemDetail body = getBody();
    body.setTitle("Precondition Failed");
    body.setProperty("currentVersion", currentVersion);
    body.setProperty("expected", expected);
  }

  /** The store the write was for. */
  public String storeName() {
    return storeName;
  }

  /** The store's version when the condition was evaluated. */
  public long currentVersion() {
    return currentVersion;
  }

  /** The {@code If-Match} field of the request. */
  public String expected() {
    return expected;
  }

  @Override
  public HttpHeaders getHeaders() {
    HttpHeaders headers = new HttpHeaders();
    headers.setETag(ConditionalRequests.eTag(currentVersion));
    return headers;
  }

  /** A 412 response with the problem body and the current {@code ETag}. */
  public ResponseEntity<ProblemDetail> toResponseEntity() {
    return ResponseEntity.status(getStatusCode()).headers(getHeaders()).body(getBody());
  }
}
