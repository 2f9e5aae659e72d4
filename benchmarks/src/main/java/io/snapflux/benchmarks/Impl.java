package io.snapflux.benchmarks;

/** The rows of the classic table, as the values of the {@code impl} JMH parameter. */
final class Impl {

  /** {@code synchronized} or a {@code ReentrantReadWriteLock} over a JDK mutable structure. */
  static final String LOCK = "lock";
  /** A bare {@code AtomicReference} to a Vavr value, updated by a compare-and-set loop. */
  static final String CAS = "cas";
  /** {@link VersionedRef}: a CAS loop over an immutable (version, state) pair. */
  static final String VCAS = "vcas";
  /** The Snapflux store ({@code Store.update}). */
  static final String STORE = "store";
  /** Kotlin's {@code MutableStateFlow}, updated by its {@code compareAndSet} loop. */
  static final String STATE_FLOW = "stateflow";
  /** The JDK's concurrent structure for the job. */
  static final String JDK = "jdk";

  private Impl() {}

  static IllegalArgumentException unknown(String impl) {
    return new IllegalArgumentException("unknown impl: " + impl);
  }
}
