package io.snapflux.spring.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;

/**
 * A syntactically malformed {@code If-Match} field on a write: HTTP 400 Bad Request with an RFC
 * 9457 problem body naming the field. Nothing was changed.
 *
 * <p>Why 400 and not 412 or "ignore it": RFC 9110 lets a server reject an invalid field value.
 * Ignoring it would turn a conditional write into an unconditional one, the lost update the
 * client asked to prevent; answering 412 would send the client off to re-read and retry a request
 * that can never succeed. A well-formed tag that is not a version of the store (e.g. {@code
 * "abc"} or a weak tag) is not malformed: it simply does not match, so it gets 412.
 */
public final class InvalidPreconditionException extends ResponseStatusException {

  private static final long serialVersionUID = 1L;

  /**
   * @param field the header field, e.g. {@code If-Match}
   * @param problem what is wrong with it
   */
  public InvalidPreconditionException(String field, String problem) {
    super(HttpStatus.BAD_REQUEST, "Malformed " + field + " header: " + problem
        + "; expected \"*\" or a list of quoted entity-tags such as \"9f2c41d07be3a5e8.5\"");
    getBody().setTitle("Malformed precondition");
    getBody().setProperty("header", field);
  }

  /** A 400 response with the problem body. */
  public ResponseEntity<ProblemDetail> toResponseEntity() {
    return ResponseEntity.status(getStatusCode()).body(getBody());
  }
}
