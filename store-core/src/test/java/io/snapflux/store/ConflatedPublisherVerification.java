package io.snapflux.store;

import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.testng.SkipException;
import org.testng.annotations.Test;
import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK for a stream over a store's conflated subscription, which has no
 * failure of its own: the driver commits one version at a time (a second undelivered commit would
 * conflate the first away), and the failed-publisher rules are skipped.
 *
 * @param <T> the stream's element type
 */
public abstract class ConflatedPublisherVerification<T> extends StorePublisherVerification<T> {

  /**
   * @param stream the conflated stream of a store under test, e.g. {@code Store::changes}
   */
  protected ConflatedPublisherVerification(Function<Store<Integer>, Flux<T>> stream) {
    super(1, stream);
  }

  /**
   * None: a store never refuses a conflated subscriber. Even a closed store serves the final
   * snapshot and completion; the conflated stream has no error signal of its own (a throwing
   * subscriber is covered by StoreBadInputTest). The TCK skips the failed-publisher rules.
   */
  @Override
  public final Publisher<T> createFailedPublisher() {
    return null;
  }

  /**
   * Skipped: there is no failed publisher (see {@link #createFailedPublisher()}); a store never
   * rejects a subscriber. This "required" rule is conditional: it checks that a publisher that
   * MAY reject does so after onSubscribe; LosslessChangesPublisherTckTest runs it.
   */
  @Override
  @Test
  public void
      required_spec109_mayRejectCallsToSubscribeIfPublisherIsUnableOrUnwillingToServeThemRejectionMustTriggerOnErrorAfterOnSubscribe() {
    throw new SkipException("a store never rejects a subscriber: no failed publisher exists");
  }

  /** Skipped: a stream that cannot fail has no error to signal; see the rule above. */
  @Override
  @Test
  public void optional_spec104_mustSignalOnErrorWhenFails() {
    throw new SkipException("this stream has no failure of its own to signal");
  }
}
