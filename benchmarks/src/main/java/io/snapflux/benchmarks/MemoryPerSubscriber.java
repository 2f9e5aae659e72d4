package io.snapflux.benchmarks;

import io.snapflux.benchmarks.Publishers.Probe;
import io.snapflux.benchmarks.Publishers.Source;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory per conflated subscriber, as a GC-stable heap delta: the probes (the subscribers' own
 * objects) are allocated first, the heap is measured after repeated full collections, then all
 * probes subscribe and receive an update, and the heap is measured again. The difference divided
 * by the number of subscribers is what one subscription costs the publisher: its subscription
 * object, its slot in the subscriber array, and whatever delivery machinery it holds.
 *
 * <p>Not a JMH benchmark (JMH reports times and rates, not sizes); {@code benchmarks/run.sh} runs
 * it with the serial collector and writes its JSON next to JMH's:
 * {@code java -XX:+UseSerialGC -cp benchmarks.jar io.snapflux.benchmarks.MemoryPerSubscriber}.
 */
public final class MemoryPerSubscriber {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MemoryPerSubscriber() {}

  public static void main(String[] args) throws InterruptedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    List<String> rows = new ArrayList<>();
    for (String impl : List.of(Publishers.STORE, Publishers.SINK)) {
      measure(impl, Math.max(1, n / 10)); // warm up class loading and schedulers
      double bytes = measure(impl, n);
      rows.add(String.format(Locale.ROOT,
          "    {\"impl\": \"%s\", \"subscribers\": %d, \"bytesPerSubscriber\": %.1f}",
          impl, n, bytes));
    }
    System.out.println("{\n  \"benchmark\": \"memoryPerSubscriber\",\n  \"jdkVersion\": \""
        + System.getProperty("java.version") + "\",\n  \"results\": [\n"
        + String.join(",\n", rows) + "\n  ]\n}");
  }

  private static double measure(String impl, int n) throws InterruptedException {
    Source source = Publishers.create(impl);
    List<Probe> probes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      probes.add(new Probe());
    }
    long before = stableUsedHeap();
    for (Probe p : probes) {
      source.subscribe(p);
    }
    long v = source.update();
    for (Probe p : probes) {
      p.await(v);
    }
    long after = stableUsedHeap();
    double perSubscriber = (after - before) / (double) n;
    probes.forEach(Probe::cancel);
    source.close();
    return perSubscriber;
  }

  /** Used heap after full collections, once two consecutive readings agree within 0.1%. */
  private static long stableUsedHeap() throws InterruptedException {
    long previous = -1;
    for (int i = 0; i < 20; i++) {
      System.gc();
      Thread.sleep(50);
      long used = MEMORY.getHeapMemoryUsage().getUsed();
      if (previous > 0 && Math.abs(used - previous) <= previous / 1000) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}
