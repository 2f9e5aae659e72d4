package io.snapflux.store;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The Reactive Streams TCK ({@link PublisherVerification}) for {@link Store#select}: the selected
 * values, distinct, over the conflated stream, driven by {@link DrivenStorePublisher}. Every
 * commit changes the selected value, so each one is an element.
 *
 * <p>Public, unlike other tests: TestNG instantiates it and runs the TCK's public test methods
 * reflectively.
 */
public final class SelectPublisherTckTest extends PublisherVerification<String> {

  public SelectPublisherTckTest() {
    super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS, TckTimeouts.NO_SIGNAL_MILLIS),
        TckTimeouts.GC_MILLIS);
  }

  @Override
  public Publisher<String> createPublisher(long elements) {
    // Never empty, as for the conflated stream: see ConflatedChangesPublisherTckTest.
    return new DrivenStorePublisher<>(
        Math.max(1, elements), 1, s -> s.select(state -> "state " + state));
  }

  /** None, as for the conflated stream: see ConflatedChangesPublisherTckTest. */
  @Override
  public Publisher<String> createFailedPublisher() {
    return null;
  }

  /** Skipped: §1.5 for an empty stream does not apply; see {@link #createPublisher(long)}. */
  @Override
  @Test
  public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() {
    throw new SkipException("a store's stream is never empty: it starts with the selected value");
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
