package io.snapflux.store;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The Reactive Streams TCK ({@link PublisherVerification}) for {@link Store#changes()}, the
 * conflated stream: the store's own subscription, driven by {@link DrivenStorePublisher}.
 *
 * <p>Public, unlike other tests: TestNG instantiates it and runs the TCK's public test methods
 * reflectively.
 */
public final class ConflatedChangesPublisherTckTest extends PublisherVerification<Snapshot<Integer>> {

  public ConflatedChangesPublisherTckTest() {
    super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS, TckTimeouts.NO_SIGNAL_MILLIS),
        TckTimeouts.GC_MILLIS);
  }

  @Override
  public Publisher<Snapshot<Integer>> createPublisher(long elements) {
    // A stream of a store always starts with the current snapshot, so it is never empty; the TCK
    // asks for 0 elements only in the §1.9 subscribe() rules (which count nothing) and in the
    // optional empty-stream rule, skipped below.
    return new DrivenStorePublisher<>(Math.max(1, elements), 1, Store::changes);
  }

  /**
   * None: a store never refuses a conflated subscriber. Even a closed store serves the final
   * snapshot and completion; the conflated stream has no error signal of its own (a throwing
   * subscriber is covered by StoreBadInputTest). The TCK skips the failed-publisher rules.
   */
  @Override
  public Publisher<Snapshot<Integer>> createFailedPublisher() {
    return null;
  }

  /** Skipped: §1.5 for an empty stream does not apply; see {@link #createPublisher(long)}. */
  @Override
  @Test
  public void optional_spec105_emptyStreamMustTerminateBySignallingOnComplete() {
    throw new SkipException("a store's stream is never empty: it starts with the current snapshot");
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
