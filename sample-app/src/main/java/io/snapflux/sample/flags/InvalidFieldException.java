package io.snapflux.sample.flags;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request value that breaks the contract: 400, with the offending JSON field, path variable or
 * query parameter named in the problem's {@code field} member and in its detail.
 */
public final class InvalidFieldException extends ErrorResponseException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidFieldException(String field, String message) {
    super(HttpStatus.BAD_REQUEST, problem(field, message), null);
    this.field = field;
  }

  private static ProblemDetail problem(String field, String message) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, message);
    problem.setTitle("Invalid value for '" + field + "'");
    problem.setProperty("field", field);
    return problem;
  }

  /** The field at fault. */
  public String field() {
    return field;
  }

  @Override
  public String getMessage() {
    return getBody().getDetail();
  }
}
