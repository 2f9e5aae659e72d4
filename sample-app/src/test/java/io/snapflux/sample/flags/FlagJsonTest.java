package io.snapflux.sample.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

final class FlagJsonTest {

  private static final ObjectMapper JSON = new JsonMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  /** RFC 7396 Appendix A, the test cases of the RFC itself. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"a\":\"b\"}                | {\"a\":\"c\"}            | {\"a\":\"c\"}",
      "{\"a\":\"b\"}                | {\"b\":\"c\"}            | {\"a\":\"b\",\"b\":\"c\"}",
      "{\"a\":\"b\"}                | {\"a\":null}             | {}",
      "{\"a\":\"b\",\"b\":\"c\"}    | {\"a\":null}             | {\"b\":\"c\"}",
      "{\"a\":[\"b\"]}              | {\"a\":\"c\"}            | {\"a\":\"c\"}",
      "{\"a\":\"c\"}                | {\"a\":[\"b\"]}          | {\"a\":[\"b\"]}",
      "{\"a\":{\"b\":\"c\"}}        | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
      "{\"a\":[{\"b\":\"c\"}]}      | {\"a\":[1]}              | {\"a\":[1]}",
      "[\"a\",\"b\"]                | [\"c\",\"d\"]            | [\"c\",\"d\"]",
      "{\"a\":\"b\"}                | [\"c\"]                  | [\"c\"]",
      "{\"a\":\"foo\"}              | null                     | null",
      "{\"a\":\"foo\"}              | \"bar\"                  | \"bar\"",
      "{\"e\":null}                 | {\"a\":1}                | {\"e\":null,\"a\":1}",
      "[1,2]                        | {\"a\":\"b\",\"c\":null} | {\"a\":\"b\"}",
      "{}                           | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}"})
  void mergePatch_rfc7396Examples_matchTheRfc(String target, String patch, String result)
      throws Exception {
    assertThat(FlagJson.mergePatch(json(target), json(patch))).isEqualTo(json(result));
  }

  @Test
  void mergePatch_nullMember_resetsTheFieldToItsDefault() throws Exception {
    Flag flag = Flag.of(true, 30, "d").allowing("alice");
    assertThat(FlagJson.mergePatch(flag, json("{\"allow\":null,\"rollout\":null}")))
        .isEqualTo(Flag.of(true, 100, "d"));
  }

  @Test
  void read_writeRoundTrip_isIdentity() {
    Flag flag = Flag.of(true, 42, "text").allowing("bob", "alice");
    assertThat(FlagJson.read(FlagJson.write(flag))).isEqualTo(flag);
    assertThat(FlagJson.write(flag).toString())
        .isEqualTo("{\"enabled\":true,\"rollout\":42,\"allow\":[\"alice\",\"bob\"],"
            + "\"description\":\"text\"}");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"rollout\":150}           | rollout",
      "{\"rollout\":-1}            | rollout",
      "{\"rollout\":50.5}          | rollout",
      "{\"rollout\":\"50\"}        | rollout",
      "{\"enabled\":\"yes\"}       | enabled",
      "{\"allow\":\"alice\"}       | allow",
      "{\"allow\":[\"\"]}          | allow",
      "{\"description\":7}         | description",
      "{\"colour\":\"red\"}        | colour",
      "[]                          | body"})
  void read_invalidValue_namesTheField(String body, String field) throws Exception {
    JsonNode node = json(body);
    assertThatThrownBy(() -> FlagJson.read(node))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).contains(field.equals("body") ? "object" : field);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Upper", "with space", "slash/", "colon:", "ä"})
  void requireName_invalid_isRefusedNamingName(String name) {
    assertThatThrownBy(() -> FlagJson.requireName(name))
        .isInstanceOfSatisfying(InvalidFieldException.class,
            e -> assertThat(e.field()).isEqualTo("name"));
  }

  @Test
  void requireName_allowedAlphabetAndLength_isAccepted() {
    assertThat(FlagJson.requireName("a.b_c-9")).isEqualTo("a.b_c-9");
    assertThat(FlagJson.requireName("x".repeat(64))).hasSize(64);
    assertThatThrownBy(() -> FlagJson.requireName("x".repeat(65)))
        .isInstanceOf(InvalidFieldException.class);
  }
}
