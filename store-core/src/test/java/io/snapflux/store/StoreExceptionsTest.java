package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Every {@link StoreException} a store throws names the store ({@link StoreException#storeName()}). */
final class StoreExceptionsTest {

  @Test
  void closed_validation_veto_effect_andLag_allNameTheStore() {
    Store<Integer> store = Store.builder(0).name("orders")
        .validator("non-negative", n -> n >= 0)
        .interceptor(new Interceptor<>() {
          @Override
          public void beforeCommit(Snapshot<Integer> current, Integer proposed, Object cause) {
            if (proposed == 13) {
              throw new CommitVetoedException("13 is unlucky");
            }
          }
        })
        .build();

    assertThatThrownBy(() -> store.update(n -> -1))
        .isInstanceOfSatisfying(StateValidationException.class,
            e -> assertThat(e.storeName()).isEqualTo("orders"));
    assertThatThrownBy(() -> store.update(n -> 13))
        .isInstanceOfSatisfying(CommitVetoedException.class, e -> {
          assertThat(e.storeName()).isEqualTo("orders");
          assertThat(e.getMessage()).isEqualTo("13 is unlucky");
        });
    assertThatThrownBy(() -> Stores.updateWithEffects(store, null, n -> Effects.of(n + 1,
            s -> {
              throw new IllegalStateException("outbox down");
            })))
        .isInstanceOfSatisfying(EffectException.class,
            e -> assertThat(e.storeName()).isEqualTo("orders"));
    StepVerifier.create(store.changes(Delivery.lossless(1)), 0)
        .then(() -> {
          store.update(n -> n + 1);
          store.update(n -> n + 1);
          store.update(n -> n + 1);
        })
        .thenRequest(10)
        .thenConsumeWhile(s -> true)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            SubscriberLagException.class, l -> assertThat(l.storeName()).isEqualTo("orders")))
        .verify(Duration.ofSeconds(10));
    store.close();
    assertThatThrownBy(() -> store.update(n -> n + 1))
        .isInstanceOfSatisfying(StoreClosedException.class,
            e -> assertThat(e.storeName()).isEqualTo("orders"));
  }
}
