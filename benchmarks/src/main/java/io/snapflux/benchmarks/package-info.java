/**
 * JMH benchmarks of the Snapflux store against lock-based code, a bare {@code AtomicReference}
 * CAS loop over Vavr collections (the ceiling of the store's design), Kotlin's {@code
 * MutableStateFlow}, the JDK's concurrent structures and a hand-rolled Reactor sink.
 *
 * <p>Every classic benchmark takes an {@code impl} parameter, so one fork loads exactly one
 * implementation and its call sites stay monomorphic. Run through {@code benchmarks/run.sh}; see
 * {@code docs/performance.md} for the latest figures.
 */
@NullMarked
package io.snapflux.benchmarks;

import org.jspecify.annotations.NullMarked;
