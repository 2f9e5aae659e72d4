package io.snapflux.spring.inspector;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An inspector request refused with an RFC 9457 problem: the store does not exist (404), a
 * version is no longer kept (410), a write lacks {@code If-Match} (428), a revert conflicts with
 * later versions (409), the request is malformed (400). Nothing was changed.
 */
final class InspectorProblem extends ErrorResponseException {

  private static final long serialVersionUID = 1L;

  private InspectorProblem(HttpStatus status, String title, String detail,
      Map<String, Object> members) {
    super(status, problem(status, title, detail, members), null);
  }

  private static ProblemDetail problem(HttpStatus status, String title, String detail,
      Map<String, Object> members) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
    body.setTitle(title);
    members.forEach(body::setProperty);
    return body;
  }

  static InspectorProblem noStore(String store) {
    return new InspectorProblem(HttpStatus.NOT_FOUND, "No such store",
        "There is no store named '" + store + "'", Map.of("store", store));
  }

  static InspectorProblem noVersion(String store, long version, long current) {
    return new InspectorProblem(HttpStatus.NOT_FOUND, "No such version",
        "Store '" + store + "' is at version " + current + "; version " + version
            + " does not exist yet",
        Map.of("store", store, "version", version, "current", current));
  }

  static InspectorProblem gone(String store, long version, long oldest) {
    return new InspectorProblem(HttpStatus.GONE, "Version no longer kept",
        "Store '" + store + "' no longer keeps version " + version + "; the oldest it keeps is "
            + oldest + " (snapflux.stores." + store + ".history-size)",
        Map.of("store", store, "version", version, "oldest", oldest));
  }

  static InspectorProblem preconditionRequired(String store) {
    return new InspectorProblem(HttpStatus.PRECONDITION_REQUIRED, "Precondition Required",
        "Changing store '" + store + "' from the inspector needs If-Match with the version "
            + "token you saw (the ETag of its state), so that nobody overwrites a change they "
            + "have not seen",
        Map.of("store", store, "header", "If-Match"));
  }

  static InspectorProblem conflict(String store, long version, List<String> paths,
      List<Map<String, Object>> conflicts) {
    return new InspectorProblem(HttpStatus.CONFLICT, "Revert conflicts with later changes",
        "Version " + version + " of store '" + store + "' cannot be reverted: later versions "
            + "changed " + String.join(", ", paths) + "; nothing was changed",
        Map.of("store", store, "version", version, "paths", paths, "conflicts", conflicts));
  }

  static InspectorProblem notFound(String detail) {
    return new InspectorProblem(HttpStatus.NOT_FOUND, "Not Found", detail, Map.of());
  }

  static InspectorProblem badRequest(String detail) {
    return new InspectorProblem(HttpStatus.BAD_REQUEST, "Bad Request", detail, Map.of());
  }

  static InspectorProblem unprocessable(String store, String detail) {
    return new InspectorProblem(HttpStatus.UNPROCESSABLE_CONTENT, "State refused",
        detail + "; nothing was changed", Map.of("store", store));
  }
}
