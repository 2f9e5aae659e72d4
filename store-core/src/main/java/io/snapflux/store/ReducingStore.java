package io.snapflux.store;

import io.vavr.collection.List;
import java.util.Objects;

/** An {@link ActionStore}: a store plus a reducer that turns dispatched actions into updates. */
final class ReducingStore<S, A> extends ForwardingStore<S> implements ActionStore<S, A> {

  private final Reducer<S, A> reducer;

  ReducingStore(Store<S> store, Reducer<S, A> reducer) {
    super(store);
    this.reducer = reducer;
  }

  @Override
  public Snapshot<S> dispatch(A action) {
    Objects.requireNonNull(action, "a dispatched action is never null");
    return update(action, s -> reducer.reduce(s, action));
  }

  @Override
  public Snapshot<S> dispatchAll(Iterable<? extends A> actions) {
    List<A> all = List.ofAll(actions);
    all.forEach(a -> Objects.requireNonNull(a, "a dispatched action is never null"));
    return update(all, s -> all.foldLeft(s, reducer::reduce));
  }

  @Override
  public Reducer<S, A> reducer() {
    return reducer;
  }
}
