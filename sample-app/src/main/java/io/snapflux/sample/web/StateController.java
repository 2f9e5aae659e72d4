package io.snapflux.sample.web;

import io.snapflux.sample.flags.AppState;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * The whole state, as one versioned document ({@code {"version": n, "state": {...}, "cause": …,
 * "timestamp": …}} with {@code ETag: "n"}) and as a live event stream: {@code snapshot} first,
 * then one {@code change} per version, {@code id:} = version, resumable with {@code
 * Last-Event-ID} from the store's history (a {@code resync} when it no longer reaches back).
 */
@RestController
class StateController {

  private final Store<AppState> store;

  StateController(Store<AppState> store) {
    this.store = store;
  }

  @GetMapping("/api/state")
  ResponseEntity<Snapshot<AppState>> state(@RequestHeader HttpHeaders headers) {
    return ConditionalRequests.readNow(headers, store.snapshot(), s -> s);
  }

  @GetMapping(path = "/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<Object>> stream(
      @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
    return StoreSse.stream(store, lastEventId);
  }
}
