package io.snapflux.sample.flags;

import static io.snapflux.sample.Api.MERGE_PATCH;
import static io.snapflux.sample.Api.admin;
import static io.snapflux.sample.Api.changesNothing;
import static io.snapflux.sample.Api.etag;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.Api;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.reactive.server.WebTestClient;

@AutoConfigureWebTestClient
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class FlagApiTest {

  @Autowired WebTestClient client;
  @Autowired Store<AppState> store;

  // ---- reads ----------------------------------------------------------------------------------

  @Test
  void getFlags_returnsEveryFlagByNameWithTheVersionAsETag() {
    long v = Api.put(store, "list.me", Flag.of(true, 30, "listed").allowing("alice"));
    client.get().uri("/api/flags").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectBody()
        .jsonPath("$['list.me'].enabled").isEqualTo(true)
        .jsonPath("$['list.me'].rollout").isEqualTo(30)
        .jsonPath("$['list.me'].allow[0]").isEqualTo("alice")
        .jsonPath("$['list.me'].description").isEqualTo("listed");
  }

  @Test
  void getFlags_ifNoneMatchCurrent_is304WithoutBody() {
    long v = store.snapshot().version();
    client.get().uri("/api/flags").header("If-None-Match", etag(store, v)).exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectBody().isEmpty();
  }

  @Test
  void getFlag_existing_returnsItsFourFieldsAndETag() {
    long v = Api.put(store, "get.me", Flag.of(false, 5, "one"));
    client.get().uri("/api/flags/get.me").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectBody().json("{\"enabled\":false,\"rollout\":5,\"allow\":[],\"description\":\"one\"}",
            JsonCompareMode.STRICT);
    client.get().uri("/api/flags/get.me").header("If-None-Match", etag(store, v)).exchange()
        .expectStatus().isNotModified();
    client.get().uri("/api/flags/get.me").header("If-None-Match", etag(store, v + 1000)).exchange()
        .expectStatus().isOk();
  }

  @Test
  void getFlag_unknown_is404Problem() {
    client.get().uri("/api/flags/no-such-flag").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(404)
        .jsonPath("$.detail").value(d -> assertThat((String) d).contains("no-such-flag"));
  }

  @Test
  void getFlag_badName_is400ProblemNamingName() {
    client.get().uri("/api/flags/Bad_Name").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.field").isEqualTo("name");
  }

  // ---- PUT ------------------------------------------------------------------------------------

  @Test
  void put_newFlag_is201WithLocationAndNewETag_thenReplaceIs200() {
    long v = store.snapshot().version();
    client.put().uri("/api/flags/put.new").headers(admin())
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true,\"rollout\":50,\"allow\":[\"alice\"],\"description\":\"d\"}")
        .exchange()
        .expectStatus().isCreated()
        .expectHeader().valueEquals("Location", "/api/flags/put.new")
        .expectHeader().valueEquals("ETag", etag(store, v + 1))
        .expectBody().jsonPath("$.rollout").isEqualTo(50);
    assertThat(store.get().flag("put.new").get())
        .isEqualTo(Flag.of(true, 50, "d").allowing("alice"));
    assertThat(store.snapshot().cause()).isEqualTo(Change.of("create", "put.new", "admin"));

    client.put().uri("/api/flags/put.new").headers(admin()).header("If-Match", etag(store, v + 1))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"enabled\":false}")
        .exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v + 2))
        .expectBody().json("{\"enabled\":false,\"rollout\":100,\"allow\":[],\"description\":\"\"}");
    assertThat(store.snapshot().cause()).isEqualTo(Change.of("replace", "put.new", "admin"));
  }

  @Test
  void put_staleIfMatch_is412NamingCurrentVersion_andChangesNothing() {
    Api.put(store, "put.stale", Flag.of(true, 10, ""));
    long v = store.snapshot().version();
    changesNothing(store, () -> client.put().uri("/api/flags/put.stale").headers(admin())
        .header("If-Match", etag(store, v - 1)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":false}").exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectHeader().valueEquals("ETag", etag(store, v))
        .expectBody()
        .jsonPath("$.currentVersion").isEqualTo(v)
        .jsonPath("$.detail").value(d -> assertThat((String) d).contains(Long.toString(v))));
  }

  @Test
  void put_ifMatchStar_replacesAnExistingFlag_butNeverCreatesOne() {
    long v = Api.put(store, "put.star", Flag.of(true, 10, ""));
    client.put().uri("/api/flags/put.star").headers(admin())
        .header("If-Match", "*").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":false}").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v + 1));
    changesNothing(store, () -> client.put().uri("/api/flags/put.star-absent").headers(admin())
        .header("If-Match", "*").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true}").exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void put_malformedIfMatch_is400NamingTheHeader_andChangesNothing() {
    Api.put(store, "put.malformed", Flag.of(true, 10, ""));
    for (String field : new String[] {"\"5", "*, \"5\"", ","}) {
      changesNothing(store, () -> client.put().uri("/api/flags/put.malformed").headers(admin())
          .header("If-Match", field).contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"enabled\":false}").exchange()
          .expectStatus().isBadRequest()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectBody()
          .jsonPath("$.header").isEqualTo("If-Match")
          .jsonPath("$.title").isEqualTo("Malformed precondition"));
    }
  }

  @Test
  void put_ifMatchListNamingCurrentVersion_commits_weakTagIs412() {
    long v = Api.put(store, "put.list", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.put().uri("/api/flags/put.list").headers(admin())
        .header("If-Match", "W/" + etag(store, v)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":false}").exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED));
    client.put().uri("/api/flags/put.list").headers(admin())
        .header("If-Match", etag(store, v - 1) + ", " + etag(store, v)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":false}").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v + 1));
  }

  @Test
  void put_invalidValues_are400NamingTheField_andChangeNothing() {
    Api.put(store, "put.invalid", Flag.of(true, 10, ""));
    for (String[] c : new String[][] {
        {"{\"rollout\":150}", "rollout"}, {"{\"enabled\":1}", "enabled"},
        {"{\"allow\":[3]}", "allow"}, {"{\"bogus\":true}", "bogus"}}) {
      changesNothing(store, () -> client.put().uri("/api/flags/put.invalid").headers(admin())
          .contentType(MediaType.APPLICATION_JSON).bodyValue(c[0]).exchange()
          .expectStatus().isBadRequest()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectBody()
          .jsonPath("$.field").isEqualTo(c[1])
          .jsonPath("$.detail").value(d -> assertThat((String) d).contains(c[1])));
    }
  }

  @Test
  void put_badFlagName_is400NamingName_andChangesNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/" + "x".repeat(65)).headers(admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"enabled\":true}").exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.field").isEqualTo("name"));
  }

  @Test
  void put_malformedJson_is400Problem_andChangesNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/put.malformed").headers(admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"enabled\": tru").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.title").isEqualTo("Malformed JSON"));
  }

  @Test
  void put_wrongContentType_is415Problem_andChangesNothing() {
    changesNothing(store, () -> client.put().uri("/api/flags/put.type").headers(admin())
        .contentType(MediaType.TEXT_PLAIN).bodyValue("enabled").exchange()
        .expectStatus().isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void put_bodyOver64KiB_is413Problem_andChangesNothing() {
    String big = "{\"description\":\"" + "x".repeat(70_000) + "\"}";
    changesNothing(store, () -> client.put().uri("/api/flags/put.big").headers(admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue(big).exchange()
        .expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  // ---- PATCH ----------------------------------------------------------------------------------

  @Test
  void patch_mergePatch_changesOnlyTheGivenFields_andNullResets() {
    long v = Api.put(store, "patch.me", Flag.of(true, 10, "keep").allowing("alice"));
    client.patch().uri("/api/flags/patch.me").headers(admin()).header("If-Match", etag(store, v))
        .contentType(MERGE_PATCH).bodyValue("{\"rollout\":75,\"allow\":null}").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v + 1))
        .expectBody()
        .json("{\"enabled\":true,\"rollout\":75,\"allow\":[],\"description\":\"keep\"}",
            JsonCompareMode.STRICT);
    assertThat(store.get().flag("patch.me").get()).isEqualTo(Flag.of(true, 75, "keep"));
    assertThat(store.snapshot().cause()).isEqualTo(Change.of("patch", "patch.me", "admin"));
  }

  @Test
  void editAfterAnotherFlagChangedSucceeds() {
    // The page holds the document at v; then another flag changes. Editing this flag with the
    // token of v is no conflict (protocol rule R9): before, it was a false 412.
    long v = Api.put(store, "patch.mine", Flag.of(true, 10, ""));
    Api.put(store, "patch.other", Flag.of(true, 10, ""));
    client.patch().uri("/api/flags/patch.mine").headers(admin())
        .header("If-Match", etag(store, v)).contentType(MERGE_PATCH).bodyValue("{\"rollout\":1}")
        .exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("ETag", etag(store, v + 2));
    assertThat(store.get().flag("patch.mine").get().rollout()).isEqualTo(1);
    // The flag's ETag did not move when the other flag changed, so a cached read stays valid.
    Api.put(store, "patch.other", Flag.of(false, 10, ""));
    client.get().uri("/api/flags/patch.mine").header("If-None-Match", etag(store, v + 2))
        .exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals("ETag", etag(store, v + 2));
  }

  @Test
  void patch_afterThisFlagChanged_is412NamingTheFlagsVersion_andChangesNothing() {
    long v = Api.put(store, "patch.stale", Flag.of(true, 10, ""));
    long changed = Api.put(store, "patch.stale", Flag.of(true, 20, ""));
    Api.put(store, "patch.elsewhere", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.stale").headers(admin())
        .header("If-Match", etag(store, v)).contentType(MERGE_PATCH).bodyValue("{\"rollout\":1}")
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
        .expectHeader().valueEquals("ETag", etag(store, changed))
        .expectBody()
        .jsonPath("$.currentVersion").isEqualTo(changed)
        .jsonPath("$.currentEpoch").isEqualTo(Api.token(store, 0).epoch()));
  }

  @Test
  void legacyBareVersionIfMatch_is412() {
    long v = Api.put(store, "patch.legacy", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.legacy").headers(admin())
        .header("If-Match", "\"" + v + "\"").contentType(MERGE_PATCH).bodyValue("{\"rollout\":1}")
        .exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED));
  }

  @Test
  void patch_unknownFlag_is404_andChangesNothing() {
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.unknown").headers(admin())
        .contentType(MERGE_PATCH).bodyValue("{\"rollout\":1}").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void patch_unknownFlagWithStaleIfMatch_is404Not412_andChangesNothing() {
    long v = store.snapshot().version();
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.unknown.stale")
        .headers(admin()).header("If-Match", etag(store, v + 1000)).contentType(MERGE_PATCH)
        .bodyValue("{\"rollout\":1}").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void patch_invalidResult_is400NamingTheField_andChangesNothing() {
    Api.put(store, "patch.invalid", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.invalid").headers(admin())
        .contentType(MERGE_PATCH).bodyValue("{\"rollout\":150}").exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.field").isEqualTo("rollout"));
  }

  @Test
  void patch_plainJsonContentType_is415WithAcceptPatch_andChangesNothing() {
    Api.put(store, "patch.type", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.type").headers(admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"rollout\":1}").exchange()
        .expectStatus().isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
        .expectHeader().valueEquals("Accept-Patch", "application/merge-patch+json")
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void patch_malformedJson_is400_andChangesNothing() {
    Api.put(store, "patch.malformed", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.patch().uri("/api/flags/patch.malformed").headers(admin())
        .contentType(MERGE_PATCH).bodyValue("{rollout:").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
  }

  // ---- DELETE ---------------------------------------------------------------------------------

  @Test
  void delete_existing_is204WithNewETag_thenGetIs404() {
    long v = Api.put(store, "delete.me", Flag.of(true, 10, ""));
    client.delete().uri("/api/flags/delete.me").headers(admin()).header("If-Match", etag(store, v))
        .exchange()
        .expectStatus().isNoContent()
        .expectHeader().valueEquals("ETag", etag(store, v + 1));
    assertThat(store.get().flag("delete.me").isEmpty()).isTrue();
    client.get().uri("/api/flags/delete.me").exchange().expectStatus().isNotFound();
    changesNothing(store, () -> client.delete().uri("/api/flags/delete.me").headers(admin())
        .exchange().expectStatus().isNotFound());
  }

  @Test
  void delete_staleIfMatch_is412_andChangesNothing() {
    long v = Api.put(store, "delete.stale", Flag.of(true, 10, ""));
    changesNothing(store, () -> client.delete().uri("/api/flags/delete.stale").headers(admin())
        .header("If-Match", etag(store, v - 1)).exchange()
        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED));
  }

  // ---- wrong method ---------------------------------------------------------------------------

  @Test
  void wrongMethod_is405ProblemWithAllow_andChangesNothing() {
    changesNothing(store, () -> client.post().uri("/api/flags/dark-mode").headers(admin())
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
        .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
        .expectHeader().exists("Allow")
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON));
    changesNothing(store, () -> client.delete().uri("/api/flags").headers(admin()).exchange()
        .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED));
  }

  // ---- evaluate -------------------------------------------------------------------------------

  @Test
  void evaluate_isDeterministic_allowListWins_disabledIsOff() {
    Api.put(store, "eval.me", Flag.of(true, 50, "").allowing("vip"));
    int bucket = Rollout.bucket("eval.me", "carol");
    for (int i = 0; i < 2; i++) {
      client.get().uri("/api/flags/eval.me/evaluate?user=carol").exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$.flag").isEqualTo("eval.me")
          .jsonPath("$.user").isEqualTo("carol")
          .jsonPath("$.enabled").isEqualTo(bucket < 50)
          .jsonPath("$.bucket").isEqualTo(bucket)
          .jsonPath("$.reason").isEqualTo("rollout");
    }
    client.get().uri("/api/flags/eval.me/evaluate?user=vip").exchange()
        .expectBody().jsonPath("$.enabled").isEqualTo(true)
        .jsonPath("$.reason").isEqualTo("allow-list");
    Api.put(store, "eval.me", Flag.of(false, 100, "").allowing("vip"));
    client.get().uri("/api/flags/eval.me/evaluate?user=vip").exchange()
        .expectBody().jsonPath("$.enabled").isEqualTo(false)
        .jsonPath("$.reason").isEqualTo("disabled");
  }

  @Test
  void evaluate_missingUser_is400NamingUser_unknownFlagIs404() {
    client.get().uri("/api/flags/dark-mode/evaluate").exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.field").isEqualTo("user");
    client.get().uri("/api/flags/no.such/evaluate?user=a").exchange()
        .expectStatus().isNotFound();
  }
}
