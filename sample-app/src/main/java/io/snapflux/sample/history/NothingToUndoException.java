package io.snapflux.sample.history;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** There is no change left to undo (or it is older than the history keeps): 409. */
public final class NothingToUndoException extends ErrorResponseException {

  private static final long serialVersionUID = 1L;

  public NothingToUndoException(String detail) {
    super(HttpStatus.CONFLICT, problem(detail), null);
  }

  private static ProblemDetail problem(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
    problem.setTitle("Nothing to undo");
    return problem;
  }

  @Override
  public String getMessage() {
    return getBody().getDetail();
  }
}
