package io.snapflux.spring.inspector;

import io.snapflux.spring.web.ConditionalRequests;
import io.snapflux.spring.web.IfMatch;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.spring.web.StoreSse;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Snapshot;
import io.snapflux.store.StateValidationException;
import io.snapflux.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The inspector's HTTP side: the routes of the page, its assets and the JSON API under the base
 * path, mapped onto {@link Inspector}. Errors are RFC 9457 problems ({@code
 * application/problem+json}) whatever the application's error handling.
 *
 * <p>Nothing here blocks an event loop: writes go through {@link Store#async()}; class-path
 * assets are read on {@code boundedElastic}.
 */
final class InspectorHandler {

  /** Where the page's files are, on the class path. */
  static final String STATIC_ROOT = "io/snapflux/spring/inspector/static/";

  /**
   * The page's content security policy: its own scripts, styles and API only, so that state
   * content the page renders can never run as code (defence in depth: the page renders state
   * as text), and no other site may frame it.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
      + "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
      + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

  /** The most entries one {@code versions} answer holds. */
  static final int MAX_LIMIT = 1000;

  /** How often a write made with {@code If-Match: *} is planned again after a conflict. */
  static final int MAX_ATTEMPTS = 8;

  private final Inspector inspector;
  private final SseOptions sseOptions;
  private final String base;

  InspectorHandler(Inspector inspector, SseOptions sseOptions, String basePath) {
    this.inspector = inspector;
    this.sseOptions = sseOptions;
    this.base = basePath;
  }

  RouterFunction<ServerResponse> routes() {
    String api = base + "/api/stores";
    return RouterFunctions.route()
        .GET(base, this::redirectToSlash)
        .GET(base + "/", request -> asset("index.html"))
        .GET(base + "/static/{*path}", request -> asset(request.pathVariable("path")))
        // HEAD as GET (RFC 9110 §9.3.2): WebFlux sends the headers and drops the body.
        .HEAD(base + "/", request -> asset("index.html"))
        .HEAD(base + "/static/{*path}", request -> asset(request.pathVariable("path")))
        .GET(api, request -> json(inspector.infos()))
        .GET(api + "/{name}", request -> json(inspector.info(store(request))))
        .GET(api + "/{name}/versions", this::versions)
        .GET(api + "/{name}/state", this::state)
        .GET(api + "/{name}/diff", this::diff)
        .GET(api + "/{name}/stream", this::stream)
        .GET(api + "/{name}/export", this::export)
        .POST(api + "/{name}/restore", request -> write(request,
            (store, w) -> inspector.restore(store, w.version(), w.by())))
        .POST(api + "/{name}/revert", request -> write(request,
            (store, w) -> inspector.revert(store, w.current(), w.version(), w.by())))
        // One filter: a handler that throws before returning its Mono becomes an error signal
        // (defer), and every refusal becomes a problem response.
        .filter((request, next) -> Mono.defer(() -> next.handle(request))
            .onErrorResume(ErrorResponse.class::isInstance,
                e -> problem((ErrorResponse) e, request))
            .onErrorResume(StateValidationException.class, e -> problem(
                InspectorProblem.unprocessable(request.pathVariables().getOrDefault("name", ""),
                    "The store refused the state: " + e.getMessage()), request)))
        .build();
  }

  // ---------------------------------------------------------------- page

  /** {@code GET <base>}: to {@code <base>/}, so the page's relative references resolve. */
  private Mono<ServerResponse> redirectToSlash(ServerRequest request) {
    String path = request.requestPath().value();
    String last = path.substring(path.lastIndexOf('/') + 1);
    return ServerResponse.status(HttpStatus.PERMANENT_REDIRECT)
        .location(URI.create(last + "/"))
        .build();
  }

  private Mono<ServerResponse> asset(String path) {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    if (relative.isEmpty() || relative.endsWith("/") || relative.contains("..")
        || relative.contains("\\") || relative.contains("//") || relative.contains(":")
        || relative.contains("%")) {
      return Mono.error(notFound(path));
    }
    ClassPathResource resource =
        new ClassPathResource(STATIC_ROOT + relative, InspectorHandler.class.getClassLoader());
    return Mono.fromCallable(() -> read(resource))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(bytes -> bytes.length == 0 && !resource.exists()
            ? Mono.error(notFound(path))
            : ServerResponse.ok()
                .contentType(MediaTypeFactory.getMediaType(resource)
                    .orElse(MediaType.APPLICATION_OCTET_STREAM))
                .cacheControl(CacheControl.noCache())
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .bodyValue(bytes));
  }

  private static byte[] read(ClassPathResource resource) {
    if (!resource.exists()) {
      return new byte[0];
    }
    try (InputStream in = resource.getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InspectorProblem notFound(String path) {
    return InspectorProblem.notFound("The inspector has no file " + path);
  }

  // ---------------------------------------------------------------- reads

  private Store<?> store(ServerRequest request) {
    return inspector.store(request.pathVariable("name"));
  }

  private Mono<ServerResponse> versions(ServerRequest request) {
    Store<?> store = store(request);
    Long after = longParam(request, "after");
    Long limit = longParam(request, "limit");
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      throw InspectorProblem.badRequest("limit must be from 1 to " + MAX_LIMIT + ", was " + limit);
    }
    return json(inspector.versions(store, after, limit == null ? 100 : limit.intValue()));
  }

  private Mono<ServerResponse> state(ServerRequest request) {
    return state(store(request), longParam(request, "version"));
  }

  private <S> Mono<ServerResponse> state(Store<S> store, @Nullable Long version) {
    Snapshot<S> snapshot = version == null ? store.snapshot() : Inspector.at(store, version);
    return ServerResponse.ok()
        .eTag(VersionToken.of(snapshot, store).eTag())
        .cacheControl(CacheControl.noCache())
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(inspector.state(store, snapshot));
  }

  private Mono<ServerResponse> diff(ServerRequest request) {
    Store<?> store = store(request);
    return json(inspector.diff(store, required(request, "from"), required(request, "to")));
  }

  private Mono<ServerResponse> stream(ServerRequest request) {
    Store<?> store = store(request);
    String lastEventId = request.headers().firstHeader("Last-Event-ID");
    return ServerResponse.ok()
        .contentType(MediaType.TEXT_EVENT_STREAM)
        .cacheControl(CacheControl.noStore())
        .body((response, context) -> StoreSse.writeTo(response, store, lastEventId, sseOptions));
  }

  private Mono<ServerResponse> export(ServerRequest request) {
    Store<?> store = store(request);
    ObjectNode export = inspector.export(store, longParam(request, "from"),
        longParam(request, "to"));
    String filename = store.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-"
        + export.get("from").asLong() + "-" + export.get("to").asLong() + ".json";
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .cacheControl(CacheControl.noStore())
        .headers(h -> h.setContentDisposition(
            ContentDisposition.attachment().filename(filename).build()))
        .bodyValue(export);
  }

  // ---------------------------------------------------------------- writes

  /** What a write handler knows when it plans: the store's current snapshot, the request. */
  record Write<S>(Snapshot<S> current, long version, @Nullable String by) {}

  private Mono<ServerResponse> write(ServerRequest request,
      BiFunction<Store<Object>, Write<Object>, Inspector.Plan<Object>> plan) {
    @SuppressWarnings("unchecked")
    Store<Object> store = (Store<Object>) store(request);
    IfMatch ifMatch = ConditionalRequests.ifMatch(request.headers().asHttpHeaders());
    if (!ifMatch.isPresent()) {
      throw InspectorProblem.preconditionRequired(store.name());
    }
    Mono<Optional<String>> user = request.principal()
        .map(p -> Optional.of(p.getName()))
        .defaultIfEmpty(Optional.empty());
    return Mono.zip(user, request.bodyToMono(JsonNode.class)
            .onErrorMap(JacksonException.class, e -> InspectorProblem.badRequest(
                "The body is not JSON: " + e.getOriginalMessage()))
            .switchIfEmpty(Mono.error(() -> InspectorProblem.badRequest(
                "The body must be {\"version\": <a version>}"))))
        .flatMap(t -> {
          long version = version(t.getT2());
          String by = t.getT1().orElse(null);
          return commit(store, ifMatch,
              current -> plan.apply(store, new Write<>(current, version, by)), MAX_ATTEMPTS);
        })
        .flatMap(committed -> {
          VersionToken token = VersionToken.of(committed, store);
          ObjectNode body = inspector.mapper().createObjectNode();
          body.put("version", committed.version());
          body.put("token", token.toString());
          return ServerResponse.ok().eTag(token.eTag()).contentType(MediaType.APPLICATION_JSON)
              .bodyValue(body);
        });
  }

  private static long version(JsonNode body) {
    JsonNode version = body.get("version");
    if (!body.isObject() || version == null || !version.isIntegralNumber() || !version.canConvertToLong()
        || version.asLong() < 0) {
      throw InspectorProblem.badRequest(
          "The body must be {\"version\": <a version, a whole number from 0>}, was " + body);
    }
    return version.asLong();
  }

  /**
   * Plans on the current snapshot and commits the plan at its version, through the store's
   * non-blocking writes. {@code If-Match} must name the current version (412 otherwise, nothing
   * committed); under {@code *} a conflict plans again, at most {@code attempts} times.
   */
  private static <S> Mono<Snapshot<S>> commit(Store<S> store, IfMatch ifMatch,
      java.util.function.Function<Snapshot<S>, Inspector.Plan<S>> plan, int attempts) {
    return Mono.defer(() -> {
      Snapshot<S> current = store.snapshot();
      VersionToken token = VersionToken.of(current, store);
      if (!ifMatch.matches(token)) {
        return Mono.error(
            new PreconditionFailedException(store.name(), token, ifMatch.toString()));
      }
      Inspector.Plan<S> p = plan.apply(current);
      return store.async()
          .updateIfVersion(current.version(), p.cause(), s -> p.state())
          .flatMap(outcome -> {
            if (outcome.applied()) {
              return Mono.just(outcome.snapshot());
            }
            if (ifMatch.isAny() && attempts > 1) {
              return commit(store, ifMatch, plan, attempts - 1);
            }
            return Mono.error(new PreconditionFailedException(store.name(),
                VersionToken.of(outcome.snapshot(), store), ifMatch.toString()));
          });
    });
  }

  // ---------------------------------------------------------------- helpers

  private Mono<ServerResponse> json(JsonNode body) {
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .cacheControl(CacheControl.noCache())
        .bodyValue(body);
  }

  private static @Nullable Long longParam(ServerRequest request, String name) {
    Optional<String> value = request.queryParam(name);
    if (value.isEmpty() || value.get().isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value.get());
    } catch (NumberFormatException e) {
      throw InspectorProblem.badRequest(
          "Query parameter " + name + " must be a whole number, was '" + value.get() + "'");
    }
  }

  private static long required(ServerRequest request, String name) {
    Long value = longParam(request, name);
    if (value == null) {
      throw InspectorProblem.badRequest("Query parameter " + name + " is required");
    }
    return value;
  }

  private Mono<ServerResponse> problem(ErrorResponse e, ServerRequest request) {
    ProblemDetail body = e.getBody();
    if (body.getInstance() == null) {
      body.setInstance(URI.create(request.requestPath().value()));
    }
    if (e instanceof PreconditionFailedException failed) {
      body.setProperty("current", failed.current().toString());
    }
    HttpHeaders headers = e.getHeaders();
    return ServerResponse.status(e.getStatusCode())
        .headers(h -> h.addAll(headers))
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .bodyValue(body);
  }
}
