package io.snapflux.store;

/**
 * The Reactive Streams TCK for {@link Store#changes()}, the conflated stream: the store's own
 * subscription.
 *
 * <p>Public, with a public no-arg constructor: TestNG instantiates it.
 */
public final class ConflatedChangesPublisherTckTest
    extends ConflatedPublisherVerification<Snapshot<Integer>> {

  public ConflatedChangesPublisherTckTest() {
    super(Store::changes);
  }
}
