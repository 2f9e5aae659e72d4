package com.example.todos;

import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@RestController
class TodoController {

  private final Store<Todos> store;

  TodoController(Store<Todos> store) {
    this.store = store;
  }

  /** The snapshot as JSON, with its version token as ETag (304 for a matching If-None-Match). */
  @GetMapping("/todos")
  Mono<ResponseEntity<Snapshot<Todos>>> todos(@RequestHeader HttpHeaders headers) {
    return ConditionalRequests.read(headers, store, store.snapshot(), snapshot -> snapshot);
  }

  /** Adds an item; with If-Match, only if nobody changed the list since that version. */
  @PostMapping("/todos")
  Mono<ResponseEntity<Todos>> add(@RequestHeader HttpHeaders headers, @RequestParam String item) {
    return ConditionalRequests.write(headers, store, "add " + item, t -> t.add(item), t -> t);
  }

  /** Every new version as a Server-Sent Event, resumable with Last-Event-ID. */
  @GetMapping(path = "/todos/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<Object>> stream(
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
    return StoreSse.stream(store, lastEventId);
  }

  /** A stale If-Match: 412 with the current version in the problem body. */
  @ExceptionHandler
  ResponseEntity<ProblemDetail> onStale(PreconditionFailedException e) {
    return e.toResponseEntity();
  }
}
