package io.snapflux.spring.web;

import org.springframework.context.SmartLifecycle;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Ends every {@link StoreSse} stream when the application starts shutting down, so that graceful
 * shutdown drains the ordinary requests in flight instead of waiting its whole timeout for event
 * streams that would never end; the stores themselves stay open until the context is destroyed,
 * so writes in flight still complete.
 *
 * <p>A {@link WebFilter} that puts a drain signal into each request's Reactor context, where
 * {@link StoreSse} finds it, and a {@link SmartLifecycle} in phase {@link
 * SmartLifecycle#DEFAULT_PHASE}, the first phase to stop (the web server's graceful shutdown
 * stops later, in {@code DEFAULT_PHASE - 1024}), that fires the signal. A stream requested after
 * the signal completes at once. {@link #start()} re-arms it, so a context that is stopped and
 * started again (Spring's test context pausing does so) streams again. The starter registers one
 * for reactive web applications.
 */
public final class SseDrain implements WebFilter, SmartLifecycle {

  /** The Reactor context key under which a request carries the drain signal. */
  static final Object CONTEXT_KEY = SseDrain.class;

  private Sinks.Empty<Void> signal = Sinks.empty();
  private boolean running;

  /** Creates a drain, armed. */
  public SseDrain() {}

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    Mono<Void> drained = drained();
    return chain.filter(exchange).contextWrite(context -> context.put(CONTEXT_KEY, drained));
  }

  /** Completes when the application starts shutting down. */
  synchronized Mono<Void> drained() {
    return signal.asMono();
  }

  @Override
  public synchronized void start() {
    if (!running) {
      signal = Sinks.empty();
      running = true;
    }
  }

  /** Ends every open {@link StoreSse} stream. */
  @Override
  public void stop() {
    Sinks.Empty<Void> fired;
    synchronized (this) {
      running = false;
      fired = signal;
    }
    fired.tryEmitEmpty();
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
