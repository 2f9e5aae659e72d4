package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound for the BlockHound tests of every module (published in snapflux-core's test-jar):
 * installed with a callback that records each blocking call seen on a non-blocking thread and
 * then throws there, as BlockHound does by default.
 *
 * <p>BlockHound instruments the JDK for the rest of the JVM's life and, on JDK 13+, needs {@code
 * -XX:+AllowRedefinitionToAddDeleteMethods}, so each module runs its tests tagged {@code
 * blockhound} in a forked JVM of its own (surefire execution {@code blockhound}).
 */
public final class BlockHoundSupport {

  /** Every blocking call BlockHound saw on a non-blocking thread, with the thread's name. */
  private static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();

  private BlockHoundSupport() {}

  /** Installs BlockHound in this JVM; only the first installation in a JVM takes effect. */
  public static void install() {
    install(thread -> false);
  }

  /**
   * Installs BlockHound in this JVM, treating the threads {@code alsoNonBlocking} accepts as
   * non-blocking too (e.g. a web server's event-loop threads, by name); only the first
   * installation in a JVM takes effect.
   *
   * @param alsoNonBlocking threads on which a blocking call is an error, besides Reactor's
   */
  public static void install(java.util.function.Predicate<Thread> alsoNonBlocking) {
    BlockHound.install(builder -> builder
        .nonBlockingThreadPredicate(p -> p.or(alsoNonBlocking))
        .blockingMethodCallback(method -> {
          BLOCKING_CALLS.add(method + " on " + Thread.currentThread().getName());
          throw new BlockingOperationError(method);
        }));
  }

  /** The blocking calls seen since the last {@link #clearBlockingCalls()}, as a live view. */
  public static List<String> blockingCalls() {
    return Collections.unmodifiableList(BLOCKING_CALLS);
  }

  /** Forgets the blocking calls seen so far. */
  public static void clearBlockingCalls() {
    BLOCKING_CALLS.clear();
  }

  /**
   * Proves the harness: a sleep on Reactor's parallel scheduler fails with {@link
   * BlockingOperationError} and is recorded. Without an active BlockHound every other test of a
   * BlockHound suite would pass vacuously. Clears the recorded calls afterwards.
   *
   * @param timeout how long to wait for the error
   */
  public static void assertSleepOnParallelIsDetected(Duration timeout) {
    Mono<Void> sleep = Mono.<Void>fromRunnable(() -> {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).subscribeOn(Schedulers.parallel());

    StepVerifier.create(sleep).expectError(BlockingOperationError.class).verify(timeout);
    assertThat(BLOCKING_CALLS).anyMatch(call -> call.contains("sleep"));
    clearBlockingCalls();
  }
}
