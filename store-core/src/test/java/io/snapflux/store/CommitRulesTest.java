package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules a backend that commits elsewhere applies itself, exactly as the in-memory store. */
final class CommitRulesTest {

  @Test
  void commitRules_applyTheBuildersValidatorsAndInterceptorsInOrder() {
    List<String> calls = new ArrayList<>();
    StoreBuilder<Integer> builder = Store.builder(0)
        .validator("non-negative", n -> n >= 0)
        .interceptor(new Interceptor<>() {
          @Override
          public void beforeCommit(Snapshot<Integer> current, Integer proposed, Object cause) {
            calls.add("before " + current.version() + "->" + proposed + " " + cause);
          }

          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            calls.add("after " + committed.version());
            throw new IllegalStateException("logged, never thrown");
          }
        });
    CommitRules<Integer> rules = builder.options().rules();
    Snapshot<Integer> v0 = Snapshot.of(0, 0, null, 0);

    assertThatThrownBy(() -> rules.check("remote", v0, -1, "bad"))
        .isInstanceOf(StateValidationException.class)
        .hasMessageContaining("remote")
        .hasMessageContaining("non-negative");
    rules.check("remote", v0, 1, "good");
    rules.committed("remote", v0, Snapshot.of(1, 1, "good", 0));

    assertThat(calls).containsExactly("before 0->1 good", "after 1");
    assertThat(rules.validators()).extracting(CommitRules.Validator::description)
        .containsExactly("non-negative");
    assertThat(builder.options().equivalence().equivalent(1, 1)).isTrue();
    assertThat(builder.options().historySize()).isZero();
  }

  @Test
  void withoutAfterCommit_keepsValidatorsAndBeforeCommit_butNeverRunsAfterCommit() {
    List<String> calls = new ArrayList<>();
    StoreBuilder<Integer> builder = Store.builder(0)
        .validator("non-negative", n -> n >= 0)
        .interceptor(new Interceptor<>() {
          @Override
          public void beforeCommit(Snapshot<Integer> current, Integer proposed, Object cause) {
            calls.add("before " + proposed);
          }

          @Override
          public void afterCommit(Snapshot<Integer> previous, Snapshot<Integer> committed) {
            calls.add("after " + committed.version());
          }
        });
    StoreOptions<Integer> options = builder.options();
    CommitRules<Integer> deferred = options.rules().withoutAfterCommit();
    Snapshot<Integer> v0 = Snapshot.of(0, 0, null, 0);

    assertThatThrownBy(() -> deferred.check("s", v0, -1, null))
        .isInstanceOf(StateValidationException.class);
    deferred.check("s", v0, 1, null);
    deferred.committed("s", v0, Snapshot.of(1, 1, null, 0));
    assertThat(calls).containsExactly("before 1");
    assertThat(deferred.withoutAfterCommit()).isSameAs(deferred);

    // A store built with them commits and runs no afterCommit; the full rules still do.
    try (Store<Integer> store = Backend.memory().create(options.withRules(deferred))) {
      store.update(n -> n + 1);
    }
    options.rules().committed("s", v0, Snapshot.of(1, 1, null, 0));
    assertThat(calls).containsExactly("before 1", "before 1", "after 1");
  }
}
