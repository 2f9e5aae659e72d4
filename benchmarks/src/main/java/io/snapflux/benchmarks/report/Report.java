package io.snapflux.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Regenerates {@code docs/performance.md} and its charts from one run's JMH JSON.
 *
 * <pre>
 * java -Djava.awt.headless=true -cp benchmarks/target/benchmarks.jar \
 *     io.snapflux.benchmarks.report.Report RESULTS_DIR docs/performance.md docs/img MODE DATE
 * </pre>
 *
 * <p>Every ratio is computed between figures of the same run, so the targets compare like with
 * like even on a noisy machine. A figure that is missing (a benchmark not run or failed) shows as
 * "n/a" and its target as "not measured".
 */
public final class Report {

  static final List<String> WORKLOADS = List.of("Counter", "Stack", "Queue", "Dict");
  static final List<String> IMPLS = List.of("lock", "cas", "vcas", "store", "stateflow", "jdk");
  static final Map<String, String> IMPL_NAMES = Map.of(
      "lock", "lock-based", "cas", "bare CAS loop", "vcas", "versioned CAS loop",
      "store", "Snapflux store",
      "stateflow", "MutableStateFlow", "jdk", "JDK concurrent");
  static final Map<String, String> WORKLOAD_NAMES = Map.of(
      "Counter", "counter increment", "Stack", "stack push+pop", "Queue",
      "queue enqueue+dequeue", "Dict", "dictionary update (1,000 keys)");
  static final Map<String, String> JDK_STRUCTURES = Map.of(
      "Counter", "AtomicLong", "Stack", "ConcurrentLinkedDeque", "Queue",
      "ConcurrentLinkedQueue", "Dict", "ConcurrentHashMap");
  /** The reference lock-free figures of the issue, M ops/s at 8 threads. */
  static final Map<String, Double> REFERENCE = Map.of(
      "Counter", 3.5, "Stack", 2.8, "Queue", 2.2, "Dict", 1.9);

  private final List<Result> results;
  private final Map<String, Double> memory;
  private List<String> load = List.of();
  private final StringBuilder md = new StringBuilder();
  private final List<Target> targets = new ArrayList<>();

  Report(List<Result> results, Map<String, Double> memory) {
    this.results = results;
    this.memory = memory;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: Report RESULTS_DIR OUTPUT_MD IMAGE_DIR [MODE] [DATE]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Path images = Path.of(args[2]);
    String mode = args.length > 3 ? args[3] : "unknown";
    String date = args.length > 4 ? args[4] : "unknown";
    ObjectMapper json = new ObjectMapper();
    List<Result> results = new ArrayList<>();
    Map<String, Double> memory = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode root = json.readTree(f.toFile());
        if (root.isArray()) {
          root.forEach(n -> results.add(Result.of(n)));
        } else if ("memoryPerSubscriber".equals(root.path("benchmark").asText())) {
          root.path("results").forEach(n -> memory.put(
              n.path("impl").asText(), n.path("bytesPerSubscriber").asDouble()));
        }
      }
    }
    Report report = new Report(results, memory);
    Path loadFile = dir.resolve("load.txt");
    if (Files.exists(loadFile)) {
      report.load = Files.readAllLines(loadFile);
    }
    Files.createDirectories(images);
    String relImages = out.toAbsolutePath().getParent().relativize(images.toAbsolutePath())
        .toString().replace('\\', '/');
    String text = report.render(mode, date, dir, images, relImages);
    text = keepHandWritten(out, text);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
    System.out.println("wrote " + out + " from " + results.size() + " JMH results");
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups

  private Optional<Result> find(Predicate<Result> p) {
    return results.stream().filter(p).findFirst();
  }

  OptionalDouble classic(String workload, String impl, int threads) {
    return score(r -> r.group().equals(workload) && r.param("impl").equals(impl)
        && r.threads() == threads && r.mode().equals("thrpt"));
  }

  private OptionalDouble score(Predicate<Result> p) {
    return find(p).map(r -> OptionalDouble.of(r.score())).orElse(OptionalDouble.empty());
  }

  private OptionalDouble readMostly(String impl) {
    return score(r -> r.group().equals("ReadMostly") && r.param("impl").equals(impl));
  }

  private OptionalDouble fanOut(String impl, int subscribers) {
    return score(r -> r.group().equals("FanOut") && r.param("impl").equals(impl)
        && r.param("subscribers").equals(Integer.toString(subscribers)));
  }

  private static OptionalDouble ratio(OptionalDouble a, OptionalDouble b) {
    return a.isPresent() && b.isPresent() && b.getAsDouble() > 0
        ? OptionalDouble.of(a.getAsDouble() / b.getAsDouble()) : OptionalDouble.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering

  String render(String mode, String date, Path dir, Path images, String relImages)
      throws IOException {
    String jdk = results.stream().map(Result::jdk).findFirst().orElse("unknown");
    String vm = results.stream().map(Result::vm).findFirst().orElse("unknown");
    md.append("# Performance\n\n");
    md.append("<!-- Generated by benchmarks/run.sh (io.snapflux.benchmarks.report.Report) from ")
        .append(dir.toString().replace('\\', '/')).append(". Do not edit by hand: rerun. -->\n\n");
    md.append("How the Snapflux store compares with lock-based code, a bare `AtomicReference` CAS "
        + "loop over Vavr collections (the ceiling of the store's design), Kotlin's "
        + "`MutableStateFlow`, the JDK's concurrent structures and a hand-rolled Reactor sink, "
        + "and what the Redis backend costs against a local `redis-server`. "
        + "JMH 1.37 suite in [`benchmarks/`](../benchmarks); run it with "
        + "`benchmarks/run.sh --quick` (under 5 minutes) or `benchmarks/run.sh` (full).\n\n");
    md.append("## The run\n\n");
    md.append("| | |\n| --- | --- |\n");
    md.append("| mode | `").append(mode).append("`")
        .append(mode.equals("quick")
            ? " (1 fork, 1 × 1 s warm-up, 2 × 1 s measurement: indicative only)" : "")
        .append(" |\n");
    md.append("| date | ").append(date).append(" |\n");
    md.append("| JDK | ").append(jdk).append(" (").append(vm).append(") |\n");
    md.append("| machine | ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ").append(cpuModel()).append(", ")
        .append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.arch")).append(" |\n");
    if (!load.isEmpty()) {
      md.append("| load average (1, 5, 15 min) when each group started | ")
          .append(String.join("; ", load.stream().map(l -> {
            int sp = l.indexOf(' ');
            return sp < 0 ? l : "`" + l.substring(0, sp) + "` " + l.substring(sp + 1);
          }).toList())).append(" |\n");
    }
    md.append('\n');
    md.append("**Caveat.** These figures come from a 2-core machine shared with other builds and "
        + "test runs. They are noisy (errors of ±20% between runs are normal), and every "
        + "\"8 threads\" figure is 8 threads time-sliced over 2 cores, which favours "
        + "short critical sections and punishes anything that spins or parks. The ratios are "
        + "computed between figures of the same run, which is what makes them usable; the "
        + "absolute numbers are not comparable with figures from a larger machine.\n\n");

    targetsSection();
    int mdTargetsEnd = md.length();
    classicSection(images, relImages);
    readMostlySection();
    fanOutSection(images, relImages);
    latencySection();
    memorySection();
    redisSection();
    methodSection();

    StringBuilder t = new StringBuilder();
    t.append("## Targets\n\n");
    t.append("Goals from issues 8 and 11, each a ratio between two figures of this run. Why a "
        + "target is missed, and what was tried, is in the hand-written "
        + "[performance notes](performance-notes.md).\n\n");
    t.append("| target | measured | goal | verdict |\n| --- | --- | --- | --- |\n");
    for (Target target : targets) {
      t.append("| ").append(target.name).append(" | ")
          .append(target.value.isPresent() ? fmtRatio(target.value.getAsDouble()) : "n/a")
          .append(" | ≥ ").append(fmtRatio(target.goal)).append(" | ")
          .append(target.verdict()).append(" |\n");
    }
    t.append('\n');
    List<Target> missed = targets.stream().filter(x -> x.verdict().startsWith("**missed")).toList();
    if (!missed.isEmpty()) {
      t.append("### Why targets are missed\n\n");
      java.util.Set<String> seen = new java.util.LinkedHashSet<>();
      for (Target m : missed) {
        if (seen.add(m.why)) {
          t.append("- ").append(m.why).append('\n');
        }
      }
      t.append('\n');
    }
    md.insert(mdTargetsEnd, t);
    return md.toString();
  }

  /** Where the hand-written explanation of a target lives (docs/performance-notes.md). */
  private static String notes(String anchor, String title) {
    return "[" + title + "](performance-notes.md#" + anchor + ")";
  }

  /** Issue 11's bound on the latency p99: twice the 64 µs measured before it. */
  static final double LATENCY_P99_BOUND_US = 128;

  private void targetsSection() {
    for (String w : List.of("Counter", "Dict")) {
      for (int threads : new int[] {1, 8}) {
        targets.add(new Target(
            "store ≥ 0.9× versioned CAS loop, " + WORKLOAD_NAMES.get(w) + ", " + threads
                + (threads == 1 ? " thread" : " threads"),
            ratio(classic(w, "store", threads), classic(w, "vcas", threads)), 0.9,
            notes("hot-path", "The hot path against the versioned CAS loop")));
      }
    }
    for (String w : WORKLOADS) {
      for (int threads : new int[] {1, 8}) {
        targets.add(new Target(
            "store ≥ 0.9× bare CAS loop, " + WORKLOAD_NAMES.get(w) + ", " + threads
                + (threads == 1 ? " thread" : " threads"),
            ratio(classic(w, "store", threads), classic(w, "cas", threads)), 0.9,
            notes("bare-cas", "Against the bare CAS loop")));
      }
    }
    for (int threads : new int[] {1, 8}) {
      targets.add(new Target(
          "store ≥ 50× MutableStateFlow, dictionary (1,000 keys), " + threads
              + (threads == 1 ? " thread" : " threads"),
          ratio(classic("Dict", "store", threads), classic("Dict", "stateflow", threads)), 50,
          notes("stateflow", "Against MutableStateFlow")));
    }
    for (int n : new int[] {100, 10_000}) {
      targets.add(new Target(String.format(Locale.ROOT,
              "update throughput with %,d subscribers ≥ 0.9× with none", n),
          ratio(fanOut("store", n), fanOut("store", 0)), 0.9,
          notes("fan-out", "Fan-out")));
    }
    targets.add(new Target(String.format(Locale.ROOT,
            "latency update → last of 1,000 subscribers: %.0f µs / p99 (p99 ≤ %.0f µs)",
            LATENCY_P99_BOUND_US, LATENCY_P99_BOUND_US),
        ratio(OptionalDouble.of(LATENCY_P99_BOUND_US), latencyPercentile("store", "99.0")), 1,
        notes("latency", "Latency")));
    targets.add(new Target("read-mostly mix ≥ 3× RW-lock holder, 8 threads",
        ratio(readMostly("store"), readMostly("rwlock")), 3,
        notes("read-mostly", "Read-mostly")));
    for (String w : WORKLOADS) {
      targets.add(new Target(
          "store ≥ 5× reference " + REFERENCE.get(w) + " M ops/s, " + WORKLOAD_NAMES.get(w)
              + ", 8 threads",
          ratio(classic(w, "store", 8), OptionalDouble.of(REFERENCE.get(w))), 5,
          notes("reference", "Against the reference figures")));
    }
  }

  private OptionalDouble latencyPercentile(String impl, String p) {
    return find(x -> x.group().equals("Latency") && x.param("impl").equals(impl))
        .map(x -> x.percentiles().get(p))
        .map(OptionalDouble::of).orElse(OptionalDouble.empty());
  }

  private void classicSection(Path images, String relImages) throws IOException {
    md.append("## 1. The classic lock-free table\n\n");
    md.append("Throughput in M ops/s (= ops/µs; higher is better). One operation of the stack "
        + "and queue rows is a push+pop or enqueue+dequeue pair, i.e. two updates. Rows: "
        + "lock-based = `synchronized` over `ArrayDeque` / a counter field, "
        + "`ReentrantReadWriteLock` over `HashMap` for the dictionary; bare CAS loop = "
        + "`AtomicReference` over a Vavr `List` / `Queue` / `HashMap` / boxed `Long`; versioned "
        + "CAS loop = `AtomicReference` over an immutable (version, state) pair, the ceiling of "
        + "a versioned store (counter and map only); store = "
        + "`Store.update` (and `getAndUpdate` for the pops); MutableStateFlow = its "
        + "`compareAndSet` loop over the same Vavr values; JDK concurrent = `AtomicLong`, "
        + "`ConcurrentLinkedDeque`, `ConcurrentLinkedQueue`, `ConcurrentHashMap.merge`.\n\n");
    for (int threads : new int[] {1, 8}) {
      md.append("### ").append(threads).append(threads == 1 ? " thread" : " threads")
          .append("\n\n");
      md.append("| workload |");
      IMPLS.forEach(i -> md.append(' ').append(IMPL_NAMES.get(i)).append(" |"));
      md.append(" store / versioned CAS | store / CAS | store / StateFlow | store / lock |\n");
      md.append("| --- |").append(" ---: |".repeat(IMPLS.size() + 4)).append('\n');
      for (String w : WORKLOADS) {
        md.append("| ").append(WORKLOAD_NAMES.get(w)).append(" |");
        for (String i : IMPLS) {
          md.append(' ').append(fmtScore(classic(w, i, threads))).append(" |");
        }
        md.append(' ').append(fmtRatio(ratio(classic(w, "store", threads),
            classic(w, "vcas", threads)))).append(" |");
        md.append(' ').append(fmtRatio(ratio(classic(w, "store", threads),
            classic(w, "cas", threads)))).append(" |");
        md.append(' ').append(fmtRatio(ratio(classic(w, "store", threads),
            classic(w, "stateflow", threads)))).append(" |");
        md.append(' ').append(fmtRatio(ratio(classic(w, "store", threads),
            classic(w, "lock", threads)))).append(" |\n");
      }
      md.append('\n');
    }
    // Allocation per operation, when the run used JMH's gc profiler.
    boolean hasAlloc = results.stream().anyMatch(r -> r.secondary().containsKey("gc.alloc.rate.norm"));
    if (hasAlloc) {
      md.append("### Allocation per operation (1 thread, JMH `-prof gc`)\n\n");
      md.append("Bytes allocated per operation; the difference between the store and the bare "
          + "CAS loop is the store's own bookkeeping.\n\n");
      md.append("| workload |");
      IMPLS.forEach(i -> md.append(' ').append(IMPL_NAMES.get(i)).append(" |"));
      md.append("\n| --- |").append(" ---: |".repeat(IMPLS.size())).append('\n');
      for (String w : WORKLOADS) {
        md.append("| ").append(WORKLOAD_NAMES.get(w)).append(" |");
        for (String i : IMPLS) {
          Optional<Double> b = find(r -> r.group().equals(w) && r.param("impl").equals(i)
              && r.threads() == 1).map(r -> r.secondary().get("gc.alloc.rate.norm"));
          md.append(' ').append(b.map(x -> String.format(Locale.ROOT, "%.0f B", x))
              .orElse("n/a")).append(" |");
        }
        md.append('\n');
      }
      md.append('\n');
    }

    boolean hasGc8 = results.stream().anyMatch(r -> r.threads() == 8
        && WORKLOADS.contains(r.group()) && r.secondary().containsKey("gc.time"));
    if (hasGc8) {
      md.append("### GC at 8 threads (JMH `-prof gc`)\n\n");
      md.append("Milliseconds spent in GC during the measured iterations, and bytes allocated "
          + "per operation. The store's GC time follows what it allocates (the new state and one "
          + "`Snapshot` per commit); nothing it allocates outlives the next commits unless a ring "
          + "(history, lossless subscribers) holds it.\n\n");
      md.append("| workload |");
      IMPLS.forEach(i -> md.append(' ').append(IMPL_NAMES.get(i)).append(" |"));
      md.append("\n| --- |").append(" ---: |".repeat(IMPLS.size())).append('\n');
      for (String w : WORKLOADS) {
        md.append("| ").append(WORKLOAD_NAMES.get(w)).append(" |");
        for (String i : IMPLS) {
          Optional<Result> r = find(x -> x.group().equals(w) && x.param("impl").equals(i)
              && x.threads() == 8);
          md.append(' ').append(r.filter(x -> x.secondary().containsKey("gc.time"))
              .map(x -> String.format(Locale.ROOT, "%,.0f ms, %.0f B/op",
                  x.secondary().get("gc.time"),
                  x.secondary().getOrDefault("gc.alloc.rate.norm", Double.NaN)))
              .orElse("n/a")).append(" |");
        }
        md.append('\n');
      }
      md.append('\n');
    }
    diagnostics();

    CategoryChart chart = new CategoryChartBuilder().width(900).height(480)
        .title("Classic table, 8 threads (M ops/s, log scale)")
        .xAxisTitle("workload").yAxisTitle("M ops/s").build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
    boolean any = false;
    for (String i : IMPLS) {
      List<String> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (String w : WORKLOADS) {
        OptionalDouble s = classic(w, i, 8);
        xs.add(w.toLowerCase(Locale.ROOT));
        ys.add(s.isPresent() ? Math.max(s.getAsDouble(), 1e-3) : 1e-3);
        any |= s.isPresent();
      }
      chart.addSeries(IMPL_NAMES.get(i), xs, ys);
    }
    if (any) {
      logFloor(chart);
      BitmapEncoder.saveBitmap(chart, images.resolve("performance-classic.png").toString(),
          BitmapEncoder.BitmapFormat.PNG);
      md.append("![Classic table at 8 threads](").append(relImages)
          .append("/performance-classic.png)\n\n");
    }
  }

  private void diagnostics() {
    List<Result> diag = results.stream().filter(r -> r.group().equals("StoreCost")).toList();
    if (diag.isEmpty()) {
      return;
    }
    md.append("### Diagnostics: where the store's update time goes\n\n");
    md.append("`StoreCostBenchmark`: the counter workload on stores built with one setting "
        + "changed (M ops/s). `spin-only`: `new Backoff(1_000_000, 0)`, a single "
        + "`onSpinWait` per retry instead of randomized exponential backoff; `fixed-clock`: "
        + "`Clock.fixed(...)`, no system clock read (the default reads `Clock.systemUTC()` once per "
        + "update).\n\n");
    md.append("| variant | 1 thread | 8 threads | GC time at 8 threads |\n");
    md.append("| --- | ---: | ---: | ---: |\n");
    for (String v : List.of("default", "spin-only", "fixed-clock")) {
      Optional<Result> r1 = find(r -> r.group().equals("StoreCost") && r.param("variant").equals(v)
          && r.threads() == 1);
      Optional<Result> r8 = find(r -> r.group().equals("StoreCost") && r.param("variant").equals(v)
          && r.threads() == 8);
      md.append("| `").append(v).append("` | ")
          .append(fmtScore(r1.map(r -> OptionalDouble.of(r.score())).orElse(OptionalDouble.empty())))
          .append(" | ")
          .append(fmtScore(r8.map(r -> OptionalDouble.of(r.score())).orElse(OptionalDouble.empty())))
          .append(" | ")
          .append(r8.map(r -> r.secondary().get("gc.time"))
              .map(t -> String.format(Locale.ROOT, "%,.0f ms", t)).orElse("n/a"))
          .append(" |\n");
    }
    md.append('\n');
  }

  private void readMostlySection() {
    md.append("## 2. Read-mostly mix (8 threads)\n\n");
    md.append("Each thread does 9 consistent reads (two keys and the version from one state of "
        + "a 1,000-key map), then 1 update of a random key. The store reads its snapshot without "
        + "any lock; the RW-lock holder takes its read lock for the same consistency.\n\n");
    md.append("| holder | M ops/s | ratio to RW lock |\n| --- | ---: | ---: |\n");
    for (String i : List.of("store", "rwlock")) {
      md.append("| ").append(i.equals("store") ? "Snapflux store" : "`ReentrantReadWriteLock` + `HashMap`")
          .append(" | ").append(fmtScore(readMostly(i))).append(" | ")
          .append(fmtRatio(ratio(readMostly(i), readMostly("rwlock")))).append(" |\n");
    }
    md.append('\n');
  }

  private void fanOutSection(Path images, String relImages) throws IOException {
    md.append("## 3. Fan-out and 4. the hand-rolled alternative\n\n");
    md.append("Update throughput of one writer while conflated subscribers with unbounded "
        + "demand watch (each stores the last version it saw in a volatile field). The "
        + "hand-rolled alternative is an `AtomicReference` plus "
        + "`Sinks.many().replay().latest()`, each writer emitting with a busy-looping "
        + "`EmitFailureHandler` (the serialization Reactor's sinks require of concurrent "
        + "emitters); its writer runs every subscriber's `onNext` itself.\n\n");
    md.append("| subscribers | store (M ops/s) | store, ratio to none | sink (M ops/s) | sink, ratio to none | store / sink |\n");
    md.append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    int[] counts = {0, 100, 10_000};
    for (int n : counts) {
      md.append("| ").append(String.format(Locale.ROOT, "%,d", n)).append(" | ")
          .append(fmtScore(fanOut("store", n))).append(" | ")
          .append(fmtRatio(ratio(fanOut("store", n), fanOut("store", 0)))).append(" | ")
          .append(fmtScore(fanOut("sink", n))).append(" | ")
          .append(fmtRatio(ratio(fanOut("sink", n), fanOut("sink", 0)))).append(" | ")
          .append(fmtRatio(ratio(fanOut("store", n), fanOut("sink", n)))).append(" |\n");
    }
    md.append('\n');
    CategoryChart chart = new CategoryChartBuilder().width(900).height(420)
        .title("Update throughput vs conflated subscribers (M ops/s, log scale)")
        .xAxisTitle("subscribers").yAxisTitle("M ops/s").build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
    boolean any = false;
    for (String impl : List.of("store", "sink")) {
      List<String> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int n : counts) {
        OptionalDouble s = fanOut(impl, n);
        xs.add(String.format(Locale.ROOT, "%,d", n));
        ys.add(s.isPresent() ? Math.max(s.getAsDouble(), 1e-4) : 1e-4);
        any |= s.isPresent();
      }
      chart.addSeries(impl.equals("store") ? "Snapflux store" : "AtomicReference + replay sink",
          xs, ys);
    }
    if (any) {
      logFloor(chart);
      BitmapEncoder.saveBitmap(chart, images.resolve("performance-fanout.png").toString(),
          BitmapEncoder.BitmapFormat.PNG);
      md.append("![Fan-out](").append(relImages).append("/performance-fanout.png)\n\n");
    }
  }

  private void latencySection() {
    md.append("### Update → `onNext` latency, 1,000 subscribers\n\n");
    md.append("One sample = commit a change, then wait until the subscriber subscribed last "
        + "(fanned out to last) has it: the time for a change to reach every subscriber. JMH "
        + "sample mode, µs.\n\n");
    md.append("| publisher | samples | p50 | p99 | p99.9 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (String impl : List.of("store", "sink")) {
      Optional<Result> r = find(x -> x.group().equals("Latency") && x.param("impl").equals(impl));
      md.append("| ").append(impl.equals("store") ? "Snapflux store" : "AtomicReference + replay sink")
          .append(" | ").append(r.map(x -> String.format(Locale.ROOT, "%,d", x.samples())).orElse("n/a"));
      for (String p : List.of("50.0", "99.0", "99.9", "100.0")) {
        md.append(" | ").append(r.map(x -> x.percentiles().get(p))
            .map(v -> String.format(Locale.ROOT, "%,.1f", v)).orElse("n/a"));
      }
      md.append(" |\n");
    }
    md.append('\n');
    md.append("The sink's figure is the writer's own `emitNext` (it runs all 1,000 `onNext` "
        + "calls before returning); the store's is a hand-off: the writer returns at once and "
        + "the delivery scheduler's threads deliver.\n\n");
  }

  private void memorySection() {
    md.append("### Memory per subscriber\n\n");
    md.append("GC-stable heap delta of 10,000 conflated subscriptions (after full collections, "
        + "serial collector), divided by 10,000; the subscribers' own objects are allocated "
        + "before the first reading and are not counted.\n\n");
    md.append("| publisher | bytes per subscriber |\n| --- | ---: |\n");
    for (String impl : List.of("store", "sink")) {
      Double b = memory.get(impl);
      md.append("| ").append(impl.equals("store") ? "Snapflux store" : "AtomicReference + replay sink")
          .append(" | ").append(b == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", b))
          .append(" |\n");
    }
    md.append('\n');
  }

  private Optional<Result> redisUpdateResult(String backend, int threads) {
    return find(r -> r.group().equals("Redis") && r.benchmark().endsWith(".update")
        && r.param("backend").equals(backend) && r.threads() == threads
        && r.mode().equals("thrpt"));
  }

  private OptionalDouble redisUpdate(String backend, int threads) {
    return redisUpdateResult(backend, threads).map(r -> OptionalDouble.of(r.score()))
        .orElse(OptionalDouble.empty());
  }

  /** CAS conflicts per update: the benchmark's {@code retries} counter over its score. */
  private OptionalDouble redisRetries(String backend, int threads) {
    return redisUpdateResult(backend, threads)
        .filter(r -> r.secondary().containsKey("retries") && r.score() > 0)
        .map(r -> OptionalDouble.of(r.secondary().get("retries") / r.score()))
        .orElse(OptionalDouble.empty());
  }

  private static String fmtPerUpdate(OptionalDouble d) {
    return d.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.2f", d.getAsDouble());
  }

  private void redisSection() {
    md.append("## 5. Redis backend\n\n");
    md.append("`RedisBenchmark` against a `redis-server` it starts itself, one per JMH fork, on a "
        + "free loopback port (`127.0.0.1`, never 6379) without persistence (`--save \"\" "
        + "--appendonly no`), on the same 2-core machine as the JVM: client, server and, for the "
        + "propagation figure, both store instances share two cores. The state is a `Long` "
        + "counter in the default JSON codec. The in-memory store (`Store.of`) runs the same "
        + "methods in the same run as the baseline. The issue sets no target for this "
        + "workload: the figures are stated as they are.\n\n");
    md.append("### Update round trips per second\n\n");
    md.append("`Store.update(c -> c + 1)` on one shared store, in ops/s (not M ops/s). A Redis "
        + "update is at least one round trip: encode, `EVALSHA` of the COMMIT script "
        + "(version check, `XADD` to the stream, `SET` state and version), and the local "
        + "replica's install before `update` returns. At 8 threads all threads share one "
        + "instance and one connection, and every commit goes through the one version key. "
        + "The instance's writes take turns (`RedisStoreBuilder.queueWrites`, on by default): "
        + "one COMMIT at a time, each from the version its predecessor committed, so they do "
        + "not conflict with each other, and 8 threads make about the updates one thread "
        + "makes. (Without turns they all read the same version and all but one lose: each "
        + "loser pays another round trip, after three a random wait of up to 16 ms; "
        + "`-p backend=redis-unqueued` measures that, see §6.) CAS retries per update count the "
        + "update function's applications beyond the first.\n\n");
    md.append("| backend | 1 thread (ops/s) | µs per update, 1 thread | 8 threads (ops/s) | "
        + "8 threads / 1 thread | CAS retries per update, 8 threads |\n"
        + "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (String backend : List.of("memory", "redis")) {
      OptionalDouble t1 = redisUpdate(backend, 1);
      OptionalDouble t8 = redisUpdate(backend, 8);
      md.append("| ").append(backend.equals("memory") ? "in-memory store" : "Redis store")
          .append(" | ").append(fmtCount(t1)).append(" | ")
          .append(t1.isPresent() && t1.getAsDouble() > 0
              ? fmtScore(OptionalDouble.of(1e6 / t1.getAsDouble())) : "n/a")
          .append(" | ").append(fmtCount(t8)).append(" | ")
          .append(fmtRatio(ratio(t8, t1))).append(" | ")
          .append(fmtPerUpdate(redisRetries(backend, 8))).append(" |\n");
    }
    OptionalDouble slow1 = ratio(redisUpdate("memory", 1), redisUpdate("redis", 1));
    OptionalDouble slow8 = ratio(redisUpdate("memory", 8), redisUpdate("redis", 8));
    md.append("| in-memory / Redis | ").append(fmtRatio(slow1)).append(" | | ")
        .append(fmtRatio(slow8)).append(" | | |\n\n");
    if (slow1.isPresent()) {
      md.append("At 1 thread the in-memory store does ").append(fmtRatio(slow1))
          .append(" the Redis store's updates per second: the difference between a CAS in ")
          .append("memory and a round trip to a Lua script, with JSON encoding on the way. ");
    }
    OptionalDouble scale = ratio(redisUpdate("redis", 8), redisUpdate("redis", 1));
    if (scale.isPresent()) {
      md.append("With 8 threads the Redis store runs at ").append(fmtRatio(scale))
          .append(" its 1-thread rate");
      OptionalDouble retries = redisRetries("redis", 8);
      if (retries.isPresent()) {
        md.append(" with ").append(fmtPerUpdate(retries)).append(" CAS retries per update");
      }
      md.append(retries.isPresent() && retries.getAsDouble() < 0.01
          ? ": the threads take turns, one round trip per update. "
          : scale.getAsDouble() >= 1
              ? ": pipelining on the shared connection outweighs the conflicts. "
              : ": the conflicts (each a further round trip, and waits after repeated ones) "
                  + "outweigh what pipelining on the shared connection gains. ");
      md.append("A store's write rate is bounded by one Redis shard's script rate whatever "
          + "the number of threads or instances; spread hot state over several stores "
          + "(see [redis.md](redis.md)).");
    }
    md.append("\n\n");

    md.append("### Cross-instance propagation latency\n\n");
    md.append("One sample = `update` on instance A, then wait (yielding, no sleep) until a "
        + "conflated subscriber of instance B, a second `RedisStore` on the same name with its "
        + "own client, connections and stream follower, has the written version: A's round "
        + "trip, B's follower's blocked `XREAD` returning the entry, B's replica install and "
        + "delivery on B's scheduler. The in-memory row is the same method with A and B one "
        + "store: update → `onNext` of a single local subscriber. JMH sample mode, µs, one "
        + "thread.\n\n");
    md.append("| backend | samples | p50 | p99 | p99.9 | max |\n"
        + "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    Map<String, Optional<Result>> latency = new TreeMap<>();
    for (String backend : List.of("memory", "redis")) {
      Optional<Result> r = find(x -> x.group().equals("Redis")
          && x.benchmark().endsWith(".propagation") && x.param("backend").equals(backend));
      latency.put(backend, r);
      md.append("| ").append(backend.equals("memory")
              ? "in-memory store (same instance)" : "Redis store, A → B")
          .append(" | ").append(r.map(x -> String.format(Locale.ROOT, "%,d", x.samples()))
              .orElse("n/a"));
      for (String p : List.of("50.0", "99.0", "99.9", "100.0")) {
        md.append(" | ").append(r.map(x -> x.percentiles().get(p))
            .map(v -> String.format(Locale.ROOT, "%,.1f", v)).orElse("n/a"));
      }
      md.append(" |\n");
    }
    md.append('\n');
    Optional<Double> p50 = latency.get("redis").map(x -> x.percentiles().get("50.0"));
    OptionalDouble t1 = redisUpdate("redis", 1);
    if (p50.isPresent() && t1.isPresent() && t1.getAsDouble() > 0) {
      double p = p50.get();
      double roundTrip = 1e6 / t1.getAsDouble();
      md.append(String.format(Locale.ROOT, "The median A → B sample is %,.0f µs; one update "
          + "alone takes %,.0f µs at 1 thread (the reciprocal of its rate above), so ", p,
          roundTrip));
      md.append(p > roundTrip
          ? String.format(Locale.ROOT, "B's subscriber has a change roughly %,.0f µs after "
              + "A's `update` returns (the two figures come from different forks). ",
              p - roundTrip)
          : "B's subscriber typically has a change by the time A's `update` returns. ");
      md.append("The tail is the 2-core machine: the benchmark thread, each instance's "
          + "follower and Lettuce I/O threads, the delivery worker and redis-server time-share "
          + "two cores.\n\n");
    }
  }

  static final String HAND_BEGIN = "<!-- hand-written:begin -->";
  static final String HAND_END = "<!-- hand-written:end -->";

  /**
   * Carries the hand-written block of the existing page (between {@link #HAND_BEGIN} and
   * {@link #HAND_END}, e.g. benchmarks that Report does not render yet) into the regenerated
   * text, just before its Method section.
   */
  static String keepHandWritten(Path out, String text) throws IOException {
    if (!Files.exists(out)) {
      return text;
    }
    String old = Files.readString(out, StandardCharsets.UTF_8);
    int begin = old.indexOf(HAND_BEGIN);
    int end = old.indexOf(HAND_END);
    int method = text.indexOf("## Method\n");
    if (begin < 0 || end < begin || method < 0) {
      return text;
    }
    String block = old.substring(begin, end + HAND_END.length()) + "\n\n";
    return text.substring(0, method) + block + text.substring(method);
  }

  private static String fmtCount(OptionalDouble d) {
    return d.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%,.0f", d.getAsDouble());
  }

  private void methodSection() {
    md.append("## Method\n\n");
    md.append("- JMH throughput mode reports ops/µs, which is M ops/s. One JMH fork per "
        + "parameter combination, so each fork loads one implementation.\n");
    md.append("- 1 and 8 threads are JMH's `-t 1` and `-t 8` over the same benchmark; the "
        + "read-mostly mix is fixed at 8 threads, the fan-out and latency benchmarks at one "
        + "writer.\n");
    md.append("- The Redis figures (section 5) are ops/s and µs of a `RedisBenchmark` fork "
        + "that starts and stops its own loopback `redis-server`; `benchmarks/run.sh --only "
        + "redis` re-runs just that group and regenerates this page from it and the other "
        + "groups' existing JSON.\n");
    md.append("- Keys of the dictionary and read-mostly workloads are drawn from "
        + "`ThreadLocalRandom`; the map starts with all 1,000 keys.\n");
    md.append("- The raw JMH JSON of this run is in `benchmarks/results/`; the memory figure "
        + "is written by `io.snapflux.benchmarks.MemoryPerSubscriber` as JSON in the same "
        + "directory.\n");
  }

  // ---------------------------------------------------------------------------------------------

  private static String fmtScore(OptionalDouble d) {
    if (d.isEmpty()) {
      return "n/a";
    }
    double v = d.getAsDouble();
    return String.format(Locale.ROOT, v >= 10 ? "%,.1f" : v >= 0.1 ? "%.2f" : "%.4f", v);
  }

  private static String fmtRatio(OptionalDouble d) {
    return d.isEmpty() ? "n/a" : fmtRatio(d.getAsDouble());
  }

  private static String fmtRatio(double v) {
    return String.format(Locale.ROOT, v >= 10 ? "%,.0f×" : "%.2f×", v);
  }

  /** Bars grow from the axis minimum, which a log axis needs strictly positive. */
  private static void logFloor(CategoryChart chart) {
    double min = chart.getSeriesMap().values().stream()
        .flatMap(series -> series.getYData().stream())
        .mapToDouble(Number::doubleValue).filter(v -> v > 0).min().orElse(1);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  record Target(String name, OptionalDouble value, double goal, String why) {
    String verdict() {
      if (value.isEmpty()) {
        return "not measured";
      }
      return value.getAsDouble() >= goal ? "met" : "**missed**";
    }
  }
}
