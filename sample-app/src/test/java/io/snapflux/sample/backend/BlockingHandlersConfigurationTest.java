package io.snapflux.sample.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Handlers leave the event loop only for backends whose writes wait; that they must for Redis is
 * proven end to end by {@link SeveralInstancesTest} (a write on the event loop is refused).
 */
final class BlockingHandlersConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(BlockingHandlersConfiguration.class);

  @Test
  void memoryBackend_handlersStayOnTheEventLoop() {
    runner.run(context -> assertThat(context).doesNotHaveBean(BlockingHandlersConfiguration.class));
    runner.withPropertyValues("snapflux.backend=memory")
        .run(context -> assertThat(context).doesNotHaveBean(BlockingHandlersConfiguration.class));
  }

  @Test
  void redisOrFileBackend_handlersRunOffTheEventLoop() {
    runner.withPropertyValues("snapflux.backend=redis")
        .run(context -> assertThat(context).hasSingleBean(BlockingHandlersConfiguration.class));
    runner.withPropertyValues("snapflux.backend=file")
        .run(context -> assertThat(context).hasSingleBean(BlockingHandlersConfiguration.class));
  }
}
