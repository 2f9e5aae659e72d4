package io.snapflux.sample.client;

import io.snapflux.client.VersionToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import io.snapflux.sample.Api;

/**
 * A writer on a thread of its own: puts flag {@code w} again and again with description {@code
 * write-<n>}, and records which token each acknowledged write produced, so a test can check the
 * state a client holds at any of those versions. Failed writes (the server is down) are retried.
 */
final class Writer implements AutoCloseable {

  private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
      (Api.USER + ":" + Api.PASSWORD).getBytes(StandardCharsets.UTF_8));

  final Map<VersionToken, String> written = new ConcurrentHashMap<>();
  final AtomicInteger acknowledged = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI uri;
  private final Thread thread;
  private volatile boolean stop;

  Writer(URI base) {
    this.uri = base.resolve("/api/flags/w");
    this.thread = new Thread(this::run, "test-writer");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    int n = 0;
    while (!stop) {
      String description = "write-" + (++n);
      String body = "{\"enabled\":true,\"rollout\":" + (n % 101) + ",\"allow\":[],"
          + "\"description\":\"" + description + "\"}";
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", AUTH)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.discarding());
        VersionToken token = VersionToken.fromETag(response.headers().firstValue("ETag").orElse(null));
        if (response.statusCode() / 100 == 2 && token != null) {
          written.put(token, description);
          acknowledged.incrementAndGet();
        }
      } catch (IOException e) {
        Thread.onSpinWait(); // the server is down: try again
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(10_000);
  }
}
