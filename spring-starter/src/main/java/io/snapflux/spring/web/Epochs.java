package io.snapflux.spring.web;

import io.snapflux.store.ForwardingStore;
import io.snapflux.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Where the starter gets a store's epoch until store-core carries one on every snapshot
 * (then {@link VersionToken#of} reads {@code snapshot.epoch()} and this class goes).
 *
 * <p>A store (or a store it decorates, through {@link ForwardingStore}) with a public {@code
 * String epoch()} method, as the Redis backend's, gives its own: the history epoch kept in
 * Redis, shared by every instance. Any other store gets a random epoch made the first time it is
 * asked and kept, per store object (the innermost one, so a decorated store and the store it
 * decorates agree), for that object's life: an in-memory store's versions then
 * never name two states, and a file store is given a new epoch at every start (a client resyncs
 * after a restart, which is safe, if not needed).
 */
final class Epochs {

  private static final Map<Store<?>, String> RANDOM = Collections.synchronizedMap(new WeakHashMap<>());
  private static final Map<Class<?>, Optional<Method>> EPOCH_METHODS = new ConcurrentHashMap<>();
  private static final @Nullable Method DELEGATE = delegateMethod();

  private Epochs() {}

  static String of(Store<?> store) {
    Store<?> s = store;
    Store<?> innermost = store;
    for (int depth = 0; depth < 16 && s != null; depth++) {
      innermost = s;
      Optional<Method> epoch = EPOCH_METHODS.computeIfAbsent(s.getClass(), Epochs::epochMethod);
      if (epoch.isPresent()) {
        Object value = invoke(epoch.get(), s);
        if (value instanceof String text && !text.isEmpty()) {
          return text;
        }
      }
      s = s instanceof ForwardingStore<?> && DELEGATE != null ? (Store<?>) invoke(DELEGATE, s) : null;
    }
    return RANDOM.computeIfAbsent(innermost, k -> random());
  }

  /** A new random epoch: 16 hexadecimal digits. */
  static String random() {
    String hex = Long.toHexString(ThreadLocalRandom.current().nextLong());
    return "0".repeat(16 - hex.length()) + hex;
  }

  private static Optional<Method> epochMethod(Class<?> type) {
    try {
      Method method = type.getMethod("epoch");
      return method.getReturnType() == String.class && Modifier.isPublic(type.getModifiers())
          ? Optional.of(method) : Optional.empty();
    } catch (NoSuchMethodException e) {
      return Optional.empty();
    }
  }

  private static @Nullable Method delegateMethod() {
    try {
      Method method = ForwardingStore.class.getDeclaredMethod("delegate");
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static @Nullable Object invoke(Method method, Object target) {
    try {
      return method.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null;
    }
  }
}
