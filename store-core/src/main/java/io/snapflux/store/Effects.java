package io.snapflux.store;

import io.vavr.collection.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A next state together with the effects to run once it is committed; returned by the function
 * given to {@link Stores#updateWithEffects(Store, Object, java.util.function.Function)}.
 *
 * @param state the next state
 * @param effects what to do after the commit, in order; each receives the committed snapshot
 * @param <S> the type of the state
 */
public record Effects<S>(S state, List<Consumer<? super Snapshot<S>>> effects) {

  /** Validates the fields. */
  public Effects {
    Objects.requireNonNull(state, "a Snapflux state is never null");
    Objects.requireNonNull(effects, "effects");
  }

  /**
   * A next state with no effects.
   *
   * @param state the next state
   * @param <S> the type of the state
   * @return the value
   */
  public static <S> Effects<S> none(S state) {
    return new Effects<>(state, List.empty());
  }

  /**
   * A next state and its effects.
   *
   * @param state the next state
   * @param effects the effects, in order
   * @param <S> the type of the state
   * @return the value
   */
  @SafeVarargs
  public static <S> Effects<S> of(S state, Consumer<? super Snapshot<S>>... effects) {
    return new Effects<>(state, List.of(effects));
  }

  /**
   * Adds an effect.
   *
   * @param effect what to run after the commit
   * @return a new value with the effect appended
   */
  public Effects<S> andThen(Consumer<? super Snapshot<S>> effect) {
    return new Effects<>(state, effects.append(Objects.requireNonNull(effect, "effect")));
  }

  void runAll(String storeName, Snapshot<S> committed) {
    EffectException failure = null;
    for (Consumer<? super Snapshot<S>> effect : effects) {
      try {
        effect.accept(committed);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = new EffectException(storeName, committed, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
