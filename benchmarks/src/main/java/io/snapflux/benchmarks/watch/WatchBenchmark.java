package io.snapflux.benchmarks.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The watch protocol over HTTP (issue 15), measured end to end on loopback: not a JMH benchmark
 * (its unit is a version delivered to thousands of sockets, and the load has to come from another
 * process), but the same rules: a baseline in the same run, short, bounded in time.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.snapflux.benchmarks.watch.WatchBenchmark \
 *     [--clients 100,1000,10000|none] [--versions 200] [--polls 10000] [--get-seconds 16] \
 *     [--out benchmarks/results/perf/watch.json]
 * </pre>
 *
 * <ol>
 *   <li><b>SSE fan-out</b>: for each client count N and each of three routes, a {@link
 *       LoadClient} child JVM opens N streams on the {@link WatchServer} in this JVM; the server
 *       then commits versions one at a time, each as soon as every stream has received the
 *       previous one. The routes: {@code broadcast} (the baseline: pre-made frames of the same
 *       size multicast to every stream, the cost of writing the bytes), {@code store} ({@code
 *       StoreSse.writeTo}: the store's events, frames shared by every stream) and {@code codec}
 *       ({@code StoreSse.stream} through Spring's SSE codec, formatted per stream). The summary
 *       gives each route's CPU per version over the baseline's at the same N, and its excess
 *       over it (the server's own work, which should not grow with N). Reported: this process's CPU time per version (all of it: event loops, GC, JIT; the
 *       client's CPU is in its own process), the time from the update call to the child's line
 *       saying the last stream received it (p50, p99, max: an upper bound, it includes the pipe),
 *       the heap after GC with N streams open minus before, divided by N (plus Netty's pooled
 *       direct memory, which is off-heap), and the encodings per version ({@code
 *       VersionedJson.encodings()}: 1 if the JSON is encoded once whatever N).
 *   <li><b>Held long polls</b>: a child sends {@code --polls} {@code GET /api/state} with {@code
 *       If-None-Match} of the current version and {@code Prefer: wait=30}; once the server holds
 *       them all, its live thread count is read, one version is committed, and the child reports
 *       how many were answered 200.
 *   <li><b>GET throughput</b>: {@code wrk} (Debian package {@code wrk}), when installed, else the
 *       child's closed loop, alternating {@code /api/state} and {@code /api/constant} (a fixed
 *       String body of the same length) and {@code /api/constant-bytes} (the same body
 *       pre-encoded), interleaved in rounds of 2 s ({@code --get-seconds} / 2 rounds, at least
 *       2); the ratio reported is the median of the rounds' ratios, so that the other load of a
 *       shared machine, which drifts between rounds, cancels out within each.
 * </ol>
 *
 * <p>Everything listens on and connects to 127.0.0.1 only. Each child exits by itself after a
 * deadline, and is destroyed by this process when it ends.
 */
public final class WatchBenchmark {

  /** The bare broadcast of pre-made frames: the cost of writing the bytes (the baseline). */
  static final String BROADCAST = "broadcast";
  /** The store's events through {@code StoreSse.writeTo}: frames shared by every stream. */
  static final String STORE = "store";
  /** The store's events through {@code StoreSse.stream} and Spring's SSE codec, per stream. */
  static final String CODEC = "codec";

  private static final List<String> ROUTES = List.of(BROADCAST, STORE, CODEC);

  private static double cpu(Map<String, Object> result) {
    return (Double) result.get("cpuPerVersionMicros");
  }

  /** The length of one round of the GET throughput comparison. */
  private static final int ROUND_SECONDS = 2;

  private static final Pattern WRK_RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  private final WatchServer server;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private WatchBenchmark(WatchServer server) {
    this.server = server;
  }

  /**
   * Runs the benchmark; see the class documentation for the options.
   *
   * @param args the options
   * @throws Exception when a phase fails
   */
  public static void main(String[] args) throws Exception {
    List<Integer> clients = List.of(100, 1_000, 10_000);
    int versions = 200;
    int polls = 10_000;
    int getSeconds = 16;
    Path out = Path.of("benchmarks/results/perf/watch.json");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--clients" -> clients = value.equals("none") ? List.of()
            : Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
        case "--versions" -> versions = Integer.parseInt(value);
        case "--polls" -> polls = Integer.parseInt(value);
        case "--get-seconds" -> getSeconds = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (options: --clients 100,1000,10000 --versions N --polls N --get-seconds N"
            + " --out FILE)");
      }
      i++;
    }
    try (WatchServer server = new WatchServer()) {
      WatchBenchmark bench = new WatchBenchmark(server);
      bench.results.put("date", Instant.now().toString());
      bench.results.put("cores", Runtime.getRuntime().availableProcessors());
      bench.results.put("java", System.getProperty("java.version"));
      bench.results.put("documentBytes", server.documentLength());
      bench.results.put("loadBefore", loadAverage());
      log("server on 127.0.0.1:" + server.port() + ", document " + server.documentLength()
          + " bytes, load " + loadAverage());
      if (!clients.isEmpty()) {
        log("warm-up: 100 streams, 100 versions, each route");
        for (String route : ROUTES) {
          bench.sse(route, 100, 100);
        }
      }
      List<Object> fanOut = new ArrayList<>();
      Map<String, Object> summary = new LinkedHashMap<>();
      for (int n : clients) {
        Map<String, Map<String, Object>> byRoute = new LinkedHashMap<>();
        for (String route : ROUTES) {
          Map<String, Object> r = bench.sse(route, n, versions);
          byRoute.put(route, r);
          fanOut.add(r);
        }
        double base = cpu(byRoute.get(BROADCAST));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("broadcastCpuPerVersionMicros", base);
        row.put("storeOverBroadcast", cpu(byRoute.get(STORE)) / base);
        row.put("codecOverBroadcast", cpu(byRoute.get(CODEC)) / base);
        row.put("storeExcessMicros", cpu(byRoute.get(STORE)) - base);
        row.put("codecExcessMicros", cpu(byRoute.get(CODEC)) - base);
        summary.put(Integer.toString(n), row);
      }
      if (!clients.isEmpty()) {
        bench.results.put("sse", fanOut);
        bench.results.put("sseSummary", summary);
      }
      log("sse summary " + summary);
      if (polls > 0) {
        bench.results.put("longPoll", bench.longPolls(polls));
      }
      if (getSeconds > 0) {
        bench.results.put("get", bench.throughput(getSeconds));
      }
      bench.results.put("loadAfter", loadAverage());
      Files.createDirectories(out.toAbsolutePath().getParent());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(out.toFile(), bench.results);
      log("wrote " + out);
    }
    System.exit(0);
  }

  private Map<String, Object> sse(String route, int n, int versions) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("route", route);
    r.put("clients", n);
    String path = switch (route) {
      case BROADCAST -> "/api/broadcast";
      case STORE -> "/api/stream";
      default -> "/api/stream?codec=true";
    };
    r.put("versions", versions);
    long heapBefore = heapAfterGc();
    long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    int threadsBefore = threads.getThreadCount();
    try (Child child = Child.start("sse", Integer.toString(server.port()), Integer.toString(n),
        Integer.toString(300 + versions * 2), path)) {
      long started = System.nanoTime();
      child.await("event 1", 240);
      r.put("connectSeconds", (System.nanoTime() - started) / 1e9);
      long heapOpen = heapAfterGc();
      r.put("heapPerConnectionBytes", (heapOpen - heapBefore) / n);
      r.put("directPerConnectionBytes",
          (PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore) / n);
      r.put("threadsBefore", threadsBefore);
      r.put("threadsOpen", threads.getThreadCount());
      long encodings = server.encodings();
      long[] latencies = new long[versions];
      long cpu = os.getProcessCpuTime();
      long wall = System.nanoTime();
      for (int i = 0; i < versions; i++) {
        long committed = System.nanoTime();
        if (route.equals(BROADCAST)) {
          server.broadcast();
        } else if (server.store().update(WatchServer.Doc::next).version() == 0) {
          throw new IllegalStateException("no version committed");
        }
        int event = i + 2;
        latencies[i] = child.await("event " + event, 60) - committed;
      }
      long cpuUsed = os.getProcessCpuTime() - cpu;
      long wallUsed = System.nanoTime() - wall;
      r.put("cpuPerVersionMicros", cpuUsed / 1e3 / versions);
      r.put("cpuPerVersionPerClientMicros", cpuUsed / 1e3 / versions / n);
      r.put("serverCpuShare", (double) cpuUsed / wallUsed);
      r.put("encodingsPerVersion", (double) (server.encodings() - encodings) / versions);
      Arrays.sort(latencies);
      r.put("latencyP50Millis", percentile(latencies, 0.50) / 1e6);
      r.put("latencyP99Millis", percentile(latencies, 0.99) / 1e6);
      r.put("latencyMaxMillis", latencies[latencies.length - 1] / 1e6);
      r.put("errors", child.errors());
      r.put("load", loadAverage());
    }
    log("sse " + r);
    return r;
  }

  private Map<String, Object> longPolls(int n) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("requests", n);
    r.put("wait", 30);
    heapAfterGc();
    r.put("threadsBefore", threads.getThreadCount());
    threads.resetPeakThreadCount();
    String eTag = server.eTag();
    try (Child child = Child.start("poll", Integer.toString(server.port()), Integer.toString(n),
        eTag, "30", "200")) {
      long started = System.nanoTime();
      child.await("sent " + n, 120);
      server.awaitPendingPolls(n, 30);
      r.put("holdSeconds", (System.nanoTime() - started) / 1e9);
      r.put("held", server.pendingPolls());
      r.put("threadsHeld", threads.getThreadCount());
      r.put("peakThreads", threads.getPeakThreadCount());
      long committed = System.nanoTime();
      server.store().update(WatchServer.Doc::next);
      Line done = child.awaitPrefix("done ", 60);
      r.put("answerSeconds", (done.nanos() - committed) / 1e9);
      String[] counts = done.text().split(" ");
      r.put("answered200", Integer.parseInt(counts[1]));
      r.put("answered304", Integer.parseInt(counts[2]));
      r.put("answeredOther", Integer.parseInt(counts[3]));
      r.put("errors", Integer.parseInt(counts[4]));
      r.put("threadsAfter", threads.getThreadCount());
      r.put("load", loadAverage());
    }
    log("long polls " + r);
    return r;
  }

  private Map<String, Object> throughput(int seconds) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    boolean wrk = wrkInstalled();
    r.put("tool", wrk ? "wrk -t1 -c32" : "LoadClient get, 32 connections");
    if (!wrk) {
      log("wrk not found: using the Java client (install wrk, e.g. apt-get install wrk,"
          + " for a load generator that costs less CPU than the server)");
    }
    r.put("stateBytes", server.documentLength());
    r.put("constantBytes", server.constantLength());
    List<String> paths = List.of("/api/state", "/api/constant", "/api/constant-bytes");
    for (int pass = 0; pass < 2; pass++) {
      for (String path : paths) {
        measure(wrk, path, 3); // warm-up: the first rounds of a cold JIT are far slower
      }
    }
    // Short rounds, interleaved, so that the other load of a shared machine drifts little between
    // the three endpoints of one round; the ratio is the median of the rounds' ratios.
    int rounds = Math.max(2, seconds / ROUND_SECONDS);
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    List<Double> overConstant = new ArrayList<>();
    List<Double> overBytes = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      Map<String, Double> thisRound = new LinkedHashMap<>();
      for (String path : paths) {
        double rate = measure(wrk, path, ROUND_SECONDS);
        thisRound.put(path, rate);
        rates.computeIfAbsent(path, p -> new ArrayList<>()).add(rate);
      }
      overConstant.add(thisRound.get("/api/state") / thisRound.get("/api/constant"));
      overBytes.add(thisRound.get("/api/state") / thisRound.get("/api/constant-bytes"));
    }
    r.put("rounds", rounds);
    r.put("roundSeconds", ROUND_SECONDS);
    r.put("requestsPerSecond", rates);
    r.put("stateOverConstantPerRound", overConstant);
    r.put("stateOverConstant", median(overConstant));
    r.put("stateOverConstantBytes", median(overBytes));
    r.put("load", loadAverage());
    log("get " + r);
    return r;
  }

  private double measure(boolean wrk, String path, int seconds) throws Exception {
    String url = "http://127.0.0.1:" + server.port() + path;
    if (wrk) {
      Process p = new ProcessBuilder("wrk", "-t1", "-c32", "-d" + seconds + "s", url)
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("wrk failed: " + output);
      }
      if (output.contains("Non-2xx")) {
        throw new IllegalStateException("wrk saw errors on " + path + ": " + output);
      }
      Matcher m = WRK_RPS.matcher(output);
      if (!m.find()) {
        throw new IllegalStateException("no Requests/sec in wrk's output: " + output);
      }
      return Double.parseDouble(m.group(1));
    }
    try (Child child = Child.start("get", Integer.toString(server.port()), path, "32",
        Integer.toString(seconds))) {
      String[] line = child.awaitPrefix("requests ", seconds + 60L).text().split(" ");
      if (!line[2].equals("0")) {
        throw new IllegalStateException(line[2] + " failed requests on " + path);
      }
      return Long.parseLong(line[1]) / (double) seconds;
    }
  }

  static boolean wrkInstalled() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrk"))) {
        return true;
      }
    }
    return false;
  }

  private long heapAfterGc() {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void log(String text) {
    System.out.println(Instant.now() + " " + text);
  }

  /** A line of a child's output and when this process read it. */
  record Line(String text, long nanos) {}

  /** A {@link LoadClient} JVM on this JVM's class path; its lines are timestamped on arrival. */
  static final class Child implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final List<String> errors = new ArrayList<>();

    private Child(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            lines.add(new Line(line, System.nanoTime()));
          }
        } catch (IOException e) {
          lines.add(new Line("error " + e, System.nanoTime()));
        }
        lines.add(new Line("exit", System.nanoTime()));
      }, "load-client-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
          LoadClient.class.getName()));
      command.addAll(List.of(args));
      return new Child(new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** Waits for exactly {@code text}; returns when it was read. */
    long await(String text, long seconds) throws InterruptedException {
      return awaitLine(text, true, seconds).nanos();
    }

    /** Waits for a line starting with {@code prefix}. */
    Line awaitPrefix(String prefix, long seconds) throws InterruptedException {
      return awaitLine(prefix, false, seconds);
    }

    private Line awaitLine(String prefix, boolean exact, long seconds)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      for (;;) {
        Line line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new IllegalStateException("load client: no '" + prefix + "' within " + seconds
              + " s" + (errors.isEmpty() ? "" : "; errors: " + errors));
        }
        if (exact ? line.text().equals(prefix) : line.text().startsWith(prefix)) {
          return line;
        }
        if (line.text().startsWith("error ")) {
          errors.add(line.text());
        } else if (line.text().equals("exit") || line.text().equals("deadline")) {
          throw new IllegalStateException("load client ended before '" + prefix + "'; errors: "
              + errors);
        }
      }
    }

    List<String> errors() {
      return List.copyOf(errors);
    }

    @Override
    public void close() throws InterruptedException {
      try (Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
        w.write("quit\n");
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
