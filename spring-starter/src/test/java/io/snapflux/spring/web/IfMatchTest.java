package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

final class IfMatchTest {

  private static IfMatch ifMatch(String... values) {
    HttpHeaders headers = new HttpHeaders();
    for (String value : values) {
      headers.add(HttpHeaders.IF_MATCH, value);
    }
    return ConditionalRequests.ifMatch(headers);
  }

  @Test
  void absentOrStar_matchesEveryVersion() {
    for (IfMatch unconditional : new IfMatch[] {ifMatch(), ifMatch("*")}) {
      assertThat(unconditional.matches(0)).as(unconditional.toString()).isTrue();
      assertThat(unconditional.matches(42)).as(unconditional.toString()).isTrue();
    }
  }

  @Test
  void presentAndAny_tellAbsentStarAndListApart() {
    assertThat(ifMatch().isPresent()).isFalse();
    assertThat(ifMatch().isAny()).isFalse();
    assertThat(ifMatch()).hasToString("");
    assertThat(ifMatch("*").isPresent()).isTrue();
    assertThat(ifMatch("*").isAny()).isTrue();
    assertThat(ifMatch("*")).hasToString("*");
    assertThat(ifMatch("\"5\"").isPresent()).isTrue();
    assertThat(ifMatch("\"5\"").isAny()).isFalse();
  }

  @Test
  void list_matchesOnlyTheListedVersions_acrossFieldLines() {
    IfMatch list = ifMatch("\"3\", \"5\"", "\"9\"");
    assertThat(list.matches(3)).isTrue();
    assertThat(list.matches(5)).isTrue();
    assertThat(list.matches(9)).isTrue();
    assertThat(list.matches(4)).isFalse();
    assertThat(list).hasToString("\"3\", \"5\", \"9\"");
  }

  @Test
  void weakOrForeignTags_matchNothing_strongComparison() {
    for (String field : new String[] {"W/\"5\"", "\"abc\"", "\"-5\"", "\"05x\""}) {
      assertThat(ifMatch(field).matches(5)).as(field).isFalse();
    }
  }

  @Test
  void unquotedTag_isReadLeniently() {
    assertThat(ifMatch("5").matches(5)).isTrue();
  }

  @Test
  void malformed_is400NamingTheHeader() {
    for (String field : new String[] {"\"5", "*, \"5\"", " , ", "a\"b"}) {
      assertThatThrownBy(() -> ifMatch(field))
          .as(field)
          .isInstanceOfSatisfying(InvalidPreconditionException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(e.getBody().getProperties()).containsEntry("header", "If-Match");
          });
    }
  }

  @Test
  void equalFields_areEqual() {
    assertThat(ifMatch("\"5\"")).isEqualTo(ifMatch("5")).hasSameHashCodeAs(ifMatch("5"));
    assertThat(ifMatch()).isEqualTo(ifMatch()).isNotEqualTo(ifMatch("*"));
  }
}
