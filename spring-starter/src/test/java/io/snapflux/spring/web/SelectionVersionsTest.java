package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.spring.web.ConditionalRequests.Plan;
import io.snapflux.spring.web.ConditionalRequests.Written;
import io.snapflux.store.Store;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** Per-entity validators (protocol rules R7, R9). */
final class SelectionVersionsTest {

  private static Store<Map<String, Integer>> store(int history) {
    return Store.<Map<String, Integer>>builder(Map.of("a", 0, "b", 0))
        .name("map").history(history).build();
  }

  private static Function<Map<String, Integer>, Integer> key(String k) {
    return m -> m.get(k);
  }

  private static void put(Store<Map<String, Integer>> store, String k, int v) {
    store.update(m -> {
      Map<String, Integer> next = new HashMap<>(m);
      next.put(k, v);
      return Map.copyOf(next);
    });
  }

  private static long lastChanged(Store<Map<String, Integer>> store, String k) {
    return SelectionVersions.lastChanged(store, store.snapshot(), key(k)).version();
  }

  @Test
  void theVersionAtWhichTheSelectionLastChanged() {
    Store<Map<String, Integer>> store = store(20);
    put(store, "a", 1); // v1
    put(store, "b", 1); // v2
    put(store, "b", 2); // v3
    assertThat(lastChanged(store, "a")).isEqualTo(1);
    assertThat(lastChanged(store, "b")).isEqualTo(3);
    put(store, "a", 2); // v4
    assertThat(lastChanged(store, "a")).isEqualTo(4);
    assertThat(lastChanged(store, "b")).isEqualTo(3);
    assertThat(lastChanged(store, "missing")).as("never existed: the oldest version kept").isZero();
    assertThat(SelectionVersions.lastChanged(store, store.snapshot(), key("a")).epoch())
        .isEqualTo(Epochs.of(store));
  }

  @Test
  void anOlderSnapshot_isAnsweredAsOfThatSnapshot() {
    Store<Map<String, Integer>> store = store(20);
    put(store, "a", 1); // v1
    var atOne = store.snapshot();
    put(store, "b", 1); // v2
    put(store, "a", 2); // v3
    assertThat(SelectionVersions.lastChanged(store, atOne, key("a")).version()).isEqualTo(1);
  }

  @Test
  void shortHistory_isLaterThanTheTrueChange_neverEarlier() {
    Store<Map<String, Integer>> store = store(3);
    put(store, "a", 1); // v1: the true change
    for (int i = 1; i <= 10; i++) {
      put(store, "b", i); // v2..v11
    }
    long answered = lastChanged(store, "a");
    assertThat(answered).isGreaterThan(1).isLessThanOrEqualTo(11);
    Store<Map<String, Integer>> none = store(0);
    put(none, "a", 1);
    put(none, "b", 1);
    assertThat(lastChanged(none, "a")).as("no history: the current version").isEqualTo(2);
  }

  @Test
  void modifyEntity_anotherEntitysChangeIsNoConflict_itsOwnIs() {
    Store<Map<String, Integer>> store = store(20);
    put(store, "a", 1); // v1
    String seen = new VersionToken(Epochs.of(store), 1).eTag();
    put(store, "b", 1); // v2: another entity changed
    Written<Map<String, Integer>, String> written = ConditionalRequests.modifyEntity(
        ifMatch(seen), store, key("a"), m -> new Plan<>(with(m, "a", 10), "edit a", "ok"));
    assertThat(written.snapshot().version()).isEqualTo(3);
    assertThat(written.eTag()).isEqualTo(new VersionToken(Epochs.of(store), 3));
    assertThat(store.get()).containsEntry("a", 10);

    // The same token again: a changed since version 1, so the edit is refused and nothing changes.
    assertThatThrownBy(() -> ConditionalRequests.modifyEntity(
            ifMatch(seen), store, key("a"), m -> new Plan<>(with(m, "a", 99), null, "no")))
        .isInstanceOfSatisfying(PreconditionFailedException.class, e -> {
          assertThat(e.current()).isEqualTo(new VersionToken(Epochs.of(store), 3));
          assertThat(e.getHeaders().getETag()).isEqualTo(written.eTag().eTag());
        });
    assertThat(store.get()).containsEntry("a", 10);
    assertThat(store.snapshot().version()).isEqualTo(3);
  }

  @Test
  void modifyEntity_writtenETag_isTheEntitysValidator_notTheStoresWhenNothingChanged() {
    Store<Map<String, Integer>> store = store(20);
    put(store, "a", 1); // v1
    put(store, "b", 1); // v2
    Written<Map<String, Integer>, String> unchanged = ConditionalRequests.modifyEntity(
        ifMatch("*"), store, key("a"), m -> new Plan<>(m, null, "same"));
    assertThat(unchanged.eTag().version()).isEqualTo(1);
  }

  private static IfMatch ifMatch(String field) {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.IF_MATCH, field);
    return ConditionalRequests.ifMatch(headers);
  }

  private static Map<String, Integer> with(Map<String, Integer> m, String k, int v) {
    Map<String, Integer> next = new HashMap<>(m);
    next.put(k, v);
    return Map.copyOf(next);
  }
}
