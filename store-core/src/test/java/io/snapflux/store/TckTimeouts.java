package io.snapflux.store;

/** Timeouts for the Reactive Streams TCK, generous enough for a loaded two-core machine. */
final class TckTimeouts {

  /** How long to wait for an expected signal; passing tests never wait this long. */
  static final long DEFAULT_MILLIS = 2_000;

  /** How long to watch for an unexpected signal; every such check waits this long. */
  static final long NO_SIGNAL_MILLIS = 100;

  /** How long the §3.13 rule waits before checking that a cancelled subscriber is garbage. */
  static final long GC_MILLIS = 300;

  private TckTimeouts() {}
}
