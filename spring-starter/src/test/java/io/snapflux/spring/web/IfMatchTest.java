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

  private static VersionToken v(long version) {
    return new VersionToken("e", version);
  }

  @Test
  void absentOrStar_matchesEveryVersion() {
    for (IfMatch unconditional : new IfMatch[] {ifMatch(), ifMatch("*")}) {
      assertThat(unconditional.matches(v(0))).as(unconditional.toString()).isTrue();
      assertThat(unconditional.matches(v(42))).as(unconditional.toString()).isTrue();
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
    assertThat(ifMatch("\"e.5\"").isPresent()).isTrue();
    assertThat(ifMatch("\"e.5\"").isAny()).isFalse();
  }

  @Test
  void list_matchesOnlyTheListedVersions_acrossFieldLines() {
    IfMatch list = ifMatch("\"e.3\", \"e.5\"", "\"e.9\"");
    assertThat(list.matches(v(3))).isTrue();
    assertThat(list.matches(v(5))).isTrue();
    assertThat(list.matches(v(9))).isTrue();
    assertThat(list.matches(v(4))).isFalse();
    assertThat(list).hasToString("\"e.3\", \"e.5\", \"e.9\"");
  }

  @Test
  void weakOrForeignTags_matchNothing_strongComparison() {
    for (String field : new String[] {"W/\"e.5\"", "\"abc\"", "\"-5\"", "\"05x\"",
        "\"5\"", "\"other.5\"", "\"e.5x\""}) {
      assertThat(ifMatch(field).matches(v(5))).as(field).isFalse();
    }
  }

  @Test
  void entity_matchesWhileUnchangedSinceTheNamedVersion() {
    // The entity last changed at 4; the store is at 9.
    VersionToken changed = v(4);
    VersionToken current = v(9);
    assertThat(ifMatch("\"e.4\"").matchesEntity(changed, current)).isTrue();
    assertThat(ifMatch("\"e.7\"").matchesEntity(changed, current)).isTrue();
    assertThat(ifMatch("\"e.9\"").matchesEntity(changed, current)).isTrue();
    assertThat(ifMatch("\"e.3\"").matchesEntity(changed, current)).as("changed after 3").isFalse();
    assertThat(ifMatch("\"e.10\"").matchesEntity(changed, current)).as("ahead").isFalse();
    assertThat(ifMatch("\"x.7\"").matchesEntity(changed, current)).as("another epoch").isFalse();
    assertThat(ifMatch("W/\"e.7\"").matchesEntity(changed, current)).as("weak").isFalse();
    assertThat(ifMatch("\"7\"").matchesEntity(changed, current)).as("legacy").isFalse();
    assertThat(ifMatch().matchesEntity(changed, current)).isTrue();
    assertThat(ifMatch("*").matchesEntity(changed, current)).isTrue();
  }

  @Test
  void unquotedTag_isReadLeniently() {
    assertThat(ifMatch("e.5").matches(v(5))).isTrue();
  }

  @Test
  void malformed_is400NamingTheHeader() {
    for (String field : new String[] {"\"5", "*, \"e.5\"", " , ", "a\"b"}) {
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
    assertThat(ifMatch("\"e.5\"")).isEqualTo(ifMatch("e.5")).hasSameHashCodeAs(ifMatch("e.5"));
    assertThat(ifMatch()).isEqualTo(ifMatch()).isNotEqualTo(ifMatch("*"));
  }
}
