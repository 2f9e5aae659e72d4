package io.snapflux.sample.flags;

import static io.snapflux.sample.Api.admin;
import static io.snapflux.sample.Api.changesNothing;

import io.snapflux.sample.Api;
import io.snapflux.store.Store;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One strict reading for every request body: a duplicate member or anything after the JSON value
 * is a 400 that changes nothing (before, the last duplicate won and trailing content was
 * ignored, so a client's mistake became a silent change).
 */
@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class StrictBodyTest {

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"enabled\":true,\"enabled\":false}",
      "{\"enabled\":true} xyz",
      "{\"enabled\":true}{\"enabled\":false}",
      "{\"enabled\":true} []",
      "{\"allow\":[\"a\"],\"description\":\"d\",\"allow\":[\"b\"]}"})
  void put_withDuplicateMembersOrTrailingContent_is400Problem_andChangesNothing(String body) {
    changesNothing(store, () -> client.put().uri("/api/flags/strict.put").headers(admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"rollout\":5,\"rollout\":6}", "{\"rollout\":5} 1"})
  void patch_withDuplicateMembersOrTrailingContent_is400Problem_andChangesNothing(String body) {
    Api.put(store, "strict.patch", Flag.of(true, 1, ""));
    changesNothing(store, () -> client.patch().uri("/api/flags/strict.patch").headers(admin())
        .contentType(Api.MERGE_PATCH).bodyValue(body).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }
}
