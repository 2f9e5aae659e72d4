package io.snapflux.sample.backend;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.TaskExecutorAdapter;
import org.springframework.web.reactive.config.BlockingExecutionConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import reactor.core.scheduler.Schedulers;

/**
 * With a backend other than {@code memory}, runs the imperative handlers (those not returning a
 * {@code Mono} or {@code Flux}) on Reactor's bounded-elastic scheduler instead of the event loop.
 *
 * <p>The in-memory store's writes are lock-free and never wait, so handlers call them on the
 * event loop. A Redis store's synchronous writes wait for a Redis round trip, and a file store's
 * ({@code sync} durability) for an fsync: both refuse to run on a non-blocking thread. The event
 * stream ({@code Flux}) stays on the event loop.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${snapflux.backend:memory}'.equalsIgnoreCase('memory')")
class BlockingHandlersConfiguration implements WebFluxConfigurer {

  @Override
  public void configureBlockingExecution(BlockingExecutionConfigurer configurer) {
    configurer.setExecutor(
        new TaskExecutorAdapter(task -> Schedulers.boundedElastic().schedule(task)));
  }
}
