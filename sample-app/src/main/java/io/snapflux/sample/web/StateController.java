package io.snapflux.sample.web;

import io.snapflux.sample.flags.AppState;
import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.SnapfluxWebProperties;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.spring.web.VersionedJson;
import io.snapflux.store.Store;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The whole state, as one versioned document ({@code {"epoch": e, "version": n, "state": {...},
 * "cause": …, "timestamp": …}} with {@code ETag: "e.n"}) and as a live event stream, both as the
 * Snapflux watch protocol (docs/protocol.md) specifies: {@code snapshot} first, then one {@code
 * change} per version, {@code id:} = the version token, resumable with {@code Last-Event-ID} from
 * the store's history (a {@code resync} when it no longer reaches back, or the epoch changed).
 * {@code GET /api/state} long-polls with {@code If-None-Match} and {@code Prefer: wait=N}. The
 * document's JSON is encoded once per version and shared by the GET (as its UTF-8 bytes) and every
 * stream (as its SSE frames, {@link StoreSse#writeTo}).
 */
@RestController
class StateController {

  private final Store<AppState> store;
  private final SseOptions sseOptions;
  private final SnapfluxWebProperties web;
  private final VersionedJson json;

  StateController(Store<AppState> store, SseOptions sseOptions, SnapfluxWebProperties web) {
    this.store = store;
    this.sseOptions = sseOptions;
    this.web = web;
    this.json = VersionedJson.of(store, sseOptions.encoder());
  }

  @GetMapping(path = "/api/state", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<ByteBuffer>> state(@RequestHeader HttpHeaders headers) {
    return ConditionalRequests.poll(headers, store, web.longPoll().maxWait(),
        s -> json.documentBytes(store, s));
  }

  @GetMapping(path = "/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Mono<Void> stream(ServerHttpResponse response,
      @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
    return StoreSse.writeTo(response, store, lastEventId, sseOptions);
  }
}
