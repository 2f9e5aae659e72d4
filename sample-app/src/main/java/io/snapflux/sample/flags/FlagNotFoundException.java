package io.snapflux.sample.flags;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** No flag has the requested name: 404, naming it. */
public final class FlagNotFoundException extends ErrorResponseException {

  private static final long serialVersionUID = 1L;

  public FlagNotFoundException(String flag) {
    super(HttpStatus.NOT_FOUND, problem(flag), null);
  }

  private static ProblemDetail problem(String flag) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "There is no flag named '" + flag + "'");
    problem.setTitle("Unknown flag");
    problem.setProperty("flag", flag);
    return problem;
  }

  @Override
  public String getMessage() {
    return getBody().getDetail();
  }
}
