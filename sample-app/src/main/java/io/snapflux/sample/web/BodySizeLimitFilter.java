package io.snapflux.sample.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Refuses request bodies over {@value #MAX_BODY_BYTES} bytes with 413 before reading them, when
 * the client declares the length. A body without a declared length (chunked) is stopped by the
 * codecs' limit ({@code spring.http.codecs.max-in-memory-size}, the same 64 KiB), which also answers
 * 413. Runs before the security chain, so an oversized body is never even authenticated.
 */
@Component
class BodySizeLimitFilter implements WebFilter, Ordered {

  /** The largest request body accepted: 64 KiB. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  private final ObjectMapper json;

  BodySizeLimitFilter(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    long length = exchange.getRequest().getHeaders().getContentLength();
    if (length > MAX_BODY_BYTES) {
      return Problems.write(exchange, json, Problems.of(exchange, HttpStatus.CONTENT_TOO_LARGE,
          "Request body too large",
          "The request body has " + length + " bytes; at most " + MAX_BODY_BYTES
              + " are accepted"));
    }
    return chain.filter(exchange);
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
