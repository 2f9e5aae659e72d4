package io.snapflux.benchmarks;

import io.snapflux.benchmarks.Publishers.Probe;
import io.snapflux.benchmarks.Publishers.Source;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * Update throughput of one writer while 0, 100 or 10,000 conflated subscribers (unbounded demand)
 * watch: the store, whose writers only signal, against the hand-rolled sink, whose writer runs
 * every subscriber itself. Delivery runs on the store's delivery scheduler (Reactor's parallel
 * scheduler, one thread per core) and competes with the writer for the cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class FanOutBenchmark {

  @Param({Publishers.STORE, Publishers.SINK})
  public String impl;

  @Param({"0", "100", "10000"})
  public int subscribers;

  private Source source;
  private List<Probe> probes;

  @Setup
  public void setUp() {
    source = Publishers.create(impl);
    probes = Publishers.subscribe(source, subscribers);
  }

  @TearDown
  public void tearDown() {
    probes.forEach(Probe::cancel);
    source.close();
  }

  @Benchmark
  public long update() {
    return source.update();
  }
}
