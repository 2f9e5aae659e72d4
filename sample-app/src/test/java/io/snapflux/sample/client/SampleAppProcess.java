package io.snapflux.sample.client;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The sample application in a JVM of its own, on a fixed loopback port, so a test can kill it
 * (as a crash does: SIGKILL) and start it again at the same address. Its class path is the test's
 * without the test classes (which would join the application's component scan).
 */
final class SampleAppProcess implements AutoCloseable {

  private final int port;
  private final List<String> args;
  private final Path log;
  private @Nullable Process process;

  SampleAppProcess(String... args) throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    }
    this.args = List.of(args);
    this.log = Files.createTempFile("sample-app-", ".log");
  }

  int port() {
    return port;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Starts the application and waits until it is ready (its readiness probe answers 200). */
  SampleAppProcess start() throws IOException {
    String classPath = Arrays.stream(System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")).split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath,
        "io.snapflux.sample.SampleApplication",
        "--server.port=" + port, "--server.address=127.0.0.1", "--spring.main.banner-mode=off"));
    command.addAll(args);
    Process started = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    process = started;
    // Should the test JVM die first, the application goes with it.
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(uri().resolve("/actuator/health/readiness")).build();
    await("the sample app on port " + port + " to be ready (log: " + log + ")")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!started.isAlive()) {
            throw new IllegalStateException("The sample app exited with " + started.exitValue()
                + ":\n" + Files.readString(log));
          }
          try {
            return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        });
    return this;
  }

  /** Kills the application at once, as a crash would: no graceful shutdown, no final events. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly().waitFor();
      process = null;
    }
  }

  @Override
  public void close() throws Exception {
    kill();
    Files.readAllLines(log).stream().filter(l -> l.contains("Started SampleApplication"))
        .forEach(l -> System.out.println("SampleAppProcess: " + l));
    Files.deleteIfExists(log);
  }
}
