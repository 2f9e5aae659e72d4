package io.snapflux.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/** One JMH result row: a benchmark method at one thread count and parameter combination. */
record Result(
    String benchmark,
    String mode,
    int threads,
    Map<String, String> params,
    double score,
    double error,
    String unit,
    Map<String, Double> percentiles,
    Map<String, Double> secondary,
    long samples,
    String jdk,
    String vm) {

  /** The class's simple name without "Benchmark", e.g. "Counter". */
  String group() {
    String[] parts = benchmark.split("\\.");
    return parts[parts.length - 2].replace("Benchmark", "");
  }

  String param(String name) {
    return params.getOrDefault(name, "");
  }

  static Result of(JsonNode n) {
    Map<String, String> params = new TreeMap<>();
    n.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
    JsonNode primary = n.path("primaryMetric");
    Map<String, Double> percentiles = new TreeMap<>();
    primary.path("scorePercentiles").fields()
        .forEachRemaining(e -> percentiles.put(e.getKey(), e.getValue().asDouble()));
    Map<String, Double> secondary = new TreeMap<>();
    n.path("secondaryMetrics").fields().forEachRemaining(e -> secondary.put(
        e.getKey().replace("\u00b7", ""), e.getValue().path("score").asDouble()));
    double error = primary.path("scoreError").asDouble(Double.NaN);
    long samples = 0;
    for (JsonNode fork : primary.path("rawDataHistogram")) {
      for (JsonNode iteration : fork) {
        for (JsonNode bucket : iteration) {
          samples += bucket.path(1).asLong();
        }
      }
    }
    return new Result(n.path("benchmark").asText(), n.path("mode").asText(),
        n.path("threads").asInt(), params, primary.path("score").asDouble(), error,
        primary.path("scoreUnit").asText(), percentiles, secondary, samples,
        n.path("jdkVersion").asText(), n.path("vmName").asText() + " " + n.path("vmVersion").asText());
  }
}
