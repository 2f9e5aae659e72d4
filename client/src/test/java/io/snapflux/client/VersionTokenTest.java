package io.snapflux.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionTokenTest {

  @Test
  void parsesTokensAndRefusesEverythingElse() {
    assertThat(VersionToken.parse("9f2c41d07be3a5e8.42")).isEqualTo(new VersionToken("9f2c41d07be3a5e8", 42));
    assertThat(VersionToken.parse(" a-b_c.0 ")).isEqualTo(new VersionToken("a-b_c", 0));
    assertThat(VersionToken.parse("7")).as("a legacy bare version").isNull();
    assertThat(VersionToken.parse(".7")).isNull();
    assertThat(VersionToken.parse("e.")).isNull();
    assertThat(VersionToken.parse("e.-1")).isNull();
    assertThat(VersionToken.parse("e.f.1")).as("an epoch has no dot").isNull();
    assertThat(VersionToken.parse(null)).isNull();
  }

  @Test
  void readsAndWritesEntityTags() {
    VersionToken t = new VersionToken("e", 3);
    assertThat(t.eTag()).isEqualTo("\"e.3\"");
    assertThat(VersionToken.fromETag("\"e.3\"")).isEqualTo(t);
    assertThat(VersionToken.fromETag("W/\"e.3\"")).isEqualTo(t);
    assertThat(VersionToken.fromETag("e.3")).isNull();
    assertThat(VersionToken.fromETag("\"3\"")).isNull();
  }

  @Test
  void comparesVersionsOnlyWithinAnEpoch() {
    assertThat(new VersionToken("e", 4).isNewerThan(new VersionToken("e", 3))).isTrue();
    assertThat(new VersionToken("e", 3).isNewerThan(new VersionToken("e", 3))).isFalse();
    assertThat(new VersionToken("f", 9).isNewerThan(new VersionToken("e", 3))).isFalse();
  }

  @Test
  void refusesBadParts() {
    assertThatThrownBy(() -> new VersionToken("a.b", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("An epoch is 1 to 64");
    assertThatThrownBy(() -> new VersionToken("e", -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not negative");
  }
}
