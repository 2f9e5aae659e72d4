package io.snapflux.sample.web;

import io.snapflux.sample.flags.AppState;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/** The whole state, as one versioned document and as a live event stream. */
@RestController
class StateController {

  private final Store<AppState> store;
  private final SnapshotEvents events;

  StateController(Store<AppState> store, SnapshotEvents events) {
    this.store = store;
    this.events = events;
  }

  @GetMapping("/api/state")
  ResponseEntity<SnapshotView<AppState>> state(@RequestHeader HttpHeaders headers) {
    Snapshot<AppState> snapshot = store.snapshot();
    String etag = Preconditions.etag(snapshot.version());
    if (Preconditions.notModified(headers, snapshot.version())) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag)
          .cacheControl(CacheControl.noCache()).build();
    }
    return ResponseEntity.ok().eTag(etag).cacheControl(CacheControl.noCache())
        .body(SnapshotView.of(snapshot));
  }

  @GetMapping(path = "/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<Object>> stream(
      @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
    return events.stream(lastEventId);
  }
}
