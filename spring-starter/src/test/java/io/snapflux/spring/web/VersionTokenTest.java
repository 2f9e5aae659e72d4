package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.store.ForwardingStore;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;

/** Version tokens and epochs (protocol rules R1, R2, R3). */
final class VersionTokenTest {

  @Test
  void printsAndParses() {
    VersionToken token = new VersionToken("9f2c41d07be3a5e8", 42);
    assertThat(token).hasToString("9f2c41d07be3a5e8.42");
    assertThat(token.eTag()).isEqualTo("\"9f2c41d07be3a5e8.42\"");
    assertThat(VersionToken.parse("9f2c41d07be3a5e8.42")).isEqualTo(token);
    assertThat(VersionToken.parse("a-b_C.0")).isEqualTo(new VersionToken("a-b_C", 0));
  }

  @Test
  void legacyAndMalformed_parseToNothing() {
    for (String text : new String[] {"7", "", ".7", "e.", "e.-1", "e.7x", "e f.7", "a.b.7",
        "e.1234567890123456789", "x".repeat(65) + ".1", "\"e.1\""}) {
      assertThat(VersionToken.parse(text)).as(text).isNull();
    }
    assertThat(VersionToken.parse(null)).isNull();
  }

  @Test
  void badParts_areRefusedNamingTheProblem() {
    assertThatThrownBy(() -> new VersionToken("a.b", 1)).hasMessageContaining("epoch");
    assertThatThrownBy(() -> new VersionToken("", 1)).hasMessageContaining("epoch");
    assertThatThrownBy(() -> new VersionToken("e", -1)).hasMessageContaining("version");
  }

  @Test
  void memoryStores_eachHaveTheirOwnEpoch_keptForTheirLife() {
    Store<Integer> first = Store.of(0);
    Store<Integer> second = Store.of(0);
    assertThat(Epochs.of(first)).isNotEqualTo(Epochs.of(second)).matches("[0-9a-f]{16}");
    assertThat(Epochs.of(first)).isEqualTo(Epochs.of(first));
    first.update(n -> n + 1);
    assertThat(VersionToken.of(first.snapshot(), first))
        .isEqualTo(new VersionToken(Epochs.of(first), 1));
  }

  @Test
  void aDecoratedStore_hasTheEpochOfTheStoreItDecorates() {
    Store<Integer> inner = Store.of(0);
    Store<Integer> decorated = new Decorated<>(inner);
    assertThat(Epochs.of(decorated)).isEqualTo(Epochs.of(inner));
  }

  @Test
  void aStoreWithItsOwnEpoch_givesIt_throughDecorators() {
    Store<Integer> own = new WithEpoch<>(Store.of(0), "redis-history-1");
    assertThat(Epochs.of(own)).isEqualTo("redis-history-1");
    assertThat(Epochs.of(new Decorated<>(own))).isEqualTo("redis-history-1");
  }

  @Test
  void aLongEpochOfAPublicInterface_isWrittenAs16HexDigits_evenOnAPackagePrivateClass() {
    Store<Integer> file = new WithLongEpoch<>(Store.of(0), 0x2aL);
    assertThat(Epochs.of(file)).isEqualTo("000000000000002a");
    assertThat(Epochs.of(new Decorated<>(file))).isEqualTo("000000000000002a");
  }

  /** Like the file backend's {@code FileStore}: a public interface with {@code long epoch()}. */
  public interface HasLongEpoch {
    long epoch();
  }

  static final class WithLongEpoch<S> extends ForwardingStore<S> implements HasLongEpoch {
    private final long epoch;

    WithLongEpoch(Store<S> delegate, long epoch) {
      super(delegate);
      this.epoch = epoch;
    }

    @Override
    public long epoch() {
      return epoch;
    }
  }

  static final class Decorated<S> extends ForwardingStore<S> {
    Decorated(Store<S> delegate) {
      super(delegate);
    }
  }

  /** Like the Redis backend's store: a public {@code String epoch()}. */
  public static final class WithEpoch<S> extends ForwardingStore<S> {
    private final String epoch;

    WithEpoch(Store<S> delegate, String epoch) {
      super(delegate);
      this.epoch = epoch;
    }

    public String epoch() {
      return epoch;
    }
  }
}
