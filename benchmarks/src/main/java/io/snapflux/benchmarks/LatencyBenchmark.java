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
 * Update → {@code onNext} latency with 1,000 subscribers: one invocation commits a change and
 * waits until the last subscriber (the one subscribed last, so fanned out to last) has received
 * it. JMH's sample mode gives the percentiles (p50, p99, p99.9).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class LatencyBenchmark {

  @Param({Publishers.STORE, Publishers.SINK})
  public String impl;

  @Param({"1000"})
  public int subscribers;

  private Source source;
  private List<Probe> probes;
  private Probe last;

  @Setup
  public void setUp() {
    source = Publishers.create(impl);
    probes = Publishers.subscribe(source, subscribers);
    last = probes.get(probes.size() - 1);
  }

  @TearDown
  public void tearDown() {
    probes.forEach(Probe::cancel);
    source.close();
  }

  @Benchmark
  public long updateToLastOnNext() {
    long v = source.update();
    last.await(v);
    return v;
  }
}
