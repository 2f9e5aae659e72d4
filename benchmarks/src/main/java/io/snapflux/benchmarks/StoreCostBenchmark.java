package io.snapflux.benchmarks;

import io.snapflux.store.Backoff;
import io.snapflux.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Diagnostics, not a row of the tables: the counter workload on stores built with one
 * setting changed at a time, to attribute the gap between the store and the bare CAS loop.
 * {@code default} is {@code Store.of}; {@code spin-only} uses {@code new Backoff(1_000_000, 0)}
 * (one {@code onSpinWait} per retry, never the exponential backoff); {@code fixed-clock} replaces
 * the system clock with a fixed one (what the update path costs without its clock read).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreCostBenchmark {

  @Param({"default", "spin-only", "fixed-clock"})
  public String variant;

  private Store<Long> store;

  @Setup
  public void setUp() {
    var builder = Store.builder(0L);
    switch (variant) {
      case "default" -> { }
      case "spin-only" -> builder.backoff(new Backoff(1_000_000, 0));
      case "fixed-clock" -> builder.clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
      default -> throw Impl.unknown(variant);
    }
    store = builder.build();
  }

  @TearDown
  public void tearDown() {
    store.close();
  }

  @Benchmark
  public long increment() {
    return store.update(c -> c + 1).version();
  }
}
