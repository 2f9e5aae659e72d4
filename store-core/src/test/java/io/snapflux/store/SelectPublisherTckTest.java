package io.snapflux.store;

/**
 * The Reactive Streams TCK for {@link Store#select}: the selected values, distinct, over the
 * conflated stream. Every commit changes the selected value, so each one is an element.
 *
 * <p>Public, with a public no-arg constructor: TestNG instantiates it.
 */
public final class SelectPublisherTckTest extends ConflatedPublisherVerification<String> {

  public SelectPublisherTckTest() {
    super(s -> s.select(state -> "state " + state));
  }
}
