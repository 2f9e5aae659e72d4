package io.snapflux.store;

import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.SkipException;
import org.testng.annotations.Test;
import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK ({@link PublisherVerification}) for one stream of a store, driven by
 * {@link DrivenStorePublisher}, with the {@link TckTimeouts}. Extended once per stream.
 *
 * <p>Public, unlike other tests, as are its subclasses: TestNG instantiates them and runs the
 * TCK's public test methods reflectively.
 *
 * @param <T> the stream's element type
 */
public abstract class StorePublisherVerification<T> extends PublisherVerification<T> {

  private final long window;
  private final Function<Store<Integer>, Flux<T>> stream;

  /**
   * @param window how many versions the driver may commit ahead of what the subscriber received
   * @param stream the stream of a store under test, e.g. {@code Store::changes}
   */
  protected StorePublisherVerification(long window, Function<Store<Integer>, Flux<T>> stream) {
    super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS, TckTimeouts.NO_SIGNAL_MILLIS),
        TckTimeouts.GC_MILLIS);
    this.window = window;
    this.stream = stream;
  }

  @Override
  public final Publisher<T> createPublisher(long elements) {
    // A stream of a store always starts with the current value, so it is never empty; the TCK
    // asks for 0 elements only in the §1.9 subscribe() rules (which count nothing) and in the
    // optional empty-stream rule, skipped below.
    return new DrivenStorePublisher<>(Math.max(1, elements), window, stream);
  }

  /** Skipped: §1.5 for an empty stream does not apply; see {@link #createPublisher(long)}. */
  @Override
  @Test
  public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() {
    throw new SkipException("a store's stream is never empty: it starts with the current value");
  }
}
