package io.snapflux.sample.history;

import io.snapflux.spring.StoreFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Undo on a store that keeps no history ({@code snapflux.stores.flags.history-size: 0}) is a 501
 * problem saying what would enable it, not a 500. Every backend (memory, file, redis) keeps
 * {@code history-size} versions when it is above 0.
 */
@RestControllerAdvice(assignableTypes = HistoryController.class)
class NoHistoryAdvice {

  private final StoreFactory stores;

  NoHistoryAdvice(StoreFactory stores) {
    this.stores = stores;
  }

  /** HistoryController throws this when {@code Store.history()} is empty (no history capability). */
  @ExceptionHandler(UndoUnavailableException.class)
  ResponseEntity<ProblemDetail> undoUnavailable(UndoUnavailableException e) {
    String backend = stores.backend().id();
    String detail = "Undo needs the store's history, and this store keeps none: set "
        + "snapflux.stores.flags.history-size above 0";
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_IMPLEMENTED, detail);
    problem.setTitle("Undo not available");
    problem.setProperty("backend", backend);
    problem.setProperty("store", e.store());
    return ResponseEntity.status(HttpStatus.NOT_IMPLEMENTED)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }
}
