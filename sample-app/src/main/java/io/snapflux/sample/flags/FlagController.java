package io.snapflux.sample.flags;

import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.store.Snapshot;
import java.net.URI;
import java.security.Principal;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The flags as a REST resource. The list carries the store's version token as its {@code ETag},
 * one flag the token of the version at which that flag last changed (docs/protocol.md §4); writes
 * honour {@code If-Match} with a version-checked commit (412 only when the flag changed since the
 * named version) and return the flag's new {@code ETag}. Every handler runs on the event loop:
 * writes return a {@code Mono} that completes when the backend has acknowledged the commit. Content negotiation is settled before a write runs (see {@link
 * #JSON}). Authentication for writes is enforced by the security filter chain.
 */
@RestController
@RequestMapping("/api/flags")
class FlagController {

  static final String MERGE_PATCH_JSON = "application/merge-patch+json";

  /**
   * What every write produces, declared on each write mapping so that a request whose {@code
   * Accept} excludes it is refused with 406 while the handler is chosen, before anything commits
   * (a write that committed and then failed content negotiation would report an error for a
   * change it made). {@code WriteMappingsTest} checks every write mapping declares it.
   */
  static final String JSON = "application/json";

  private final FlagService flags;

  FlagController(FlagService flags) {
    this.flags = flags;
  }

  @GetMapping
  ResponseEntity<ObjectNode> list(@RequestHeader HttpHeaders headers) {
    return noCache(ConditionalRequests.readNow(headers, flags.store(), flags.snapshot(), snapshot -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      snapshot.state().flags().forEach((name, flag) -> body.set(name, FlagJson.write(flag)));
      return body;
    }));
  }

  @GetMapping("/{name}")
  ResponseEntity<ObjectNode> get(@PathVariable String name, @RequestHeader HttpHeaders headers) {
    FlagJson.requireName(name);
    Snapshot<AppState> snapshot = flags.snapshot();
    Flag flag = FlagService.require(snapshot.state(), name);
    return noCache(ConditionalRequests.readNow(
        headers, flags.eTag(snapshot, name), () -> FlagJson.write(flag)));
  }

  @PutMapping(path = "/{name}", consumes = "application/json", produces = JSON)
  Mono<ResponseEntity<ObjectNode>> put(
      @PathVariable String name,
      @RequestBody JsonNode body,
      @RequestHeader HttpHeaders headers,
      Principal user) {
    return flags.put(name, body, ConditionalRequests.ifMatch(headers), user.getName())
        .map(written -> {
          Flag flag = FlagService.require(written.snapshot().state(), name);
          ResponseEntity.BodyBuilder response = written.result()
              ? ResponseEntity.created(URI.create("/api/flags/" + name))
              : ResponseEntity.ok();
          return response.eTag(written.eTag().eTag()).body(FlagJson.write(flag));
        });
  }

  @PatchMapping(path = "/{name}", consumes = MERGE_PATCH_JSON, produces = JSON)
  Mono<ResponseEntity<ObjectNode>> patch(
      @PathVariable String name,
      @RequestBody JsonNode patch,
      @RequestHeader HttpHeaders headers,
      Principal user) {
    return flags.patch(name, patch, ConditionalRequests.ifMatch(headers), user.getName())
        .map(written -> ResponseEntity.ok()
            .eTag(written.eTag().eTag())
            .body(FlagJson.write(written.result())));
  }

  @DeleteMapping(path = "/{name}", produces = JSON)
  Mono<ResponseEntity<Void>> delete(
      @PathVariable String name, @RequestHeader HttpHeaders headers, Principal user) {
    return flags.delete(name, ConditionalRequests.ifMatch(headers), user.getName())
        .map(written -> ResponseEntity.noContent()
            .eTag(written.eTag().eTag())
            .<Void>build());
  }

  @GetMapping("/{name}/evaluate")
  Rollout.Evaluation evaluate(@PathVariable String name, @RequestParam(required = false) @Nullable String user) {
    if (user == null) {
      throw new InvalidFieldException("user", "The query parameter user is required");
    }
    return flags.evaluate(name, user);
  }

  /** Adds {@code Cache-Control: no-cache}: a cache may keep a read but must revalidate it. */
  private static <T> ResponseEntity<T> noCache(ResponseEntity<T> read) {
    return ResponseEntity.status(read.getStatusCode())
        .headers(read.getHeaders())
        .cacheControl(CacheControl.noCache())
        .body(read.getBody());
  }
}
