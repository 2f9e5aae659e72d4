package io.snapflux.sample.web;

import io.snapflux.spring.web.ConditionalRequests;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The client's {@code If-Match} does not name the current version: someone else changed the
 * state first. 412, naming the current version in the detail, in the problem's {@code
 * currentVersion} member and in the {@code ETag} header; nothing was changed.
 */
public final class PreconditionFailedException extends ErrorResponseException {

  private static final long serialVersionUID = 1L;

  private final long currentVersion;

  public PreconditionFailedException(@Nullable String ifMatch, long currentVersion) {
    super(HttpStatus.PRECONDITION_FAILED, problem(ifMatch, currentVersion), null);
    this.currentVersion = currentVersion;
    getHeaders().setETag(ConditionalRequests.eTag(currentVersion));
  }

  private static ProblemDetail problem(@Nullable String ifMatch, long currentVersion) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(
        HttpStatus.PRECONDITION_FAILED,
        "If-Match " + ifMatch + " does not match the current version " + currentVersion
            + ": someone else changed the flags first. Read them again and retry.");
    problem.setTitle("Version conflict");
    problem.setProperty("currentVersion", currentVersion);
    return problem;
  }

  /** The store's version when the conflict was seen. */
  public long currentVersion() {
    return currentVersion;
  }

  @Override
  public String getMessage() {
    return getBody().getDetail();
  }
}
