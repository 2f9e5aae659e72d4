package io.snapflux.sample.client;

import io.snapflux.sample.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain JDK HTTP client for the tests' own reads and writes (the other side of the client). */
final class Http {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
      (Api.USER + ":" + Api.PASSWORD).getBytes(StandardCharsets.UTF_8));

  private Http() {}

  /** GET /api/state: the whole document. */
  static JsonNode state(URI base) throws IOException, InterruptedException {
    HttpResponse<String> response = CLIENT.send(
        HttpRequest.newBuilder(base.resolve("/api/state")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET /api/state answered " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  /** Merge-patches a flag's description, unconditionally; returns the status. */
  static int patchDescription(URI base, String name, String description)
      throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve("/api/flags/" + name))
            .header("Authorization", AUTH)
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(
                "{\"description\":\"" + description + "\"}"))
            .build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** PUT a flag unconditionally; returns the status. */
  static int putFlag(URI base, String name, int rollout) throws IOException, InterruptedException {
    String body = "{\"enabled\":true,\"rollout\":" + rollout + ",\"allow\":[],\"description\":\"\"}";
    return CLIENT.send(HttpRequest.newBuilder(base.resolve("/api/flags/" + name))
            .header("Authorization", AUTH)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
