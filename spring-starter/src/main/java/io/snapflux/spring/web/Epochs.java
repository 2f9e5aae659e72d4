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
 * epoch()} method gives its own: the Redis backend's {@code String epoch()}, the history epoch
 * kept in Redis and shared by every instance; the file backend's {@code long epoch()}, the
 * journal's persisted epoch (a random 64-bit number, renewed when acknowledged versions may have
 * been lost), written as 16 hexadecimal digits. Any other store gets a random epoch made the first time it is
 * asked and kept, per store object (the innermost one, so a decorated store and the store it
 * decorates agree), for that object's life: an in-memory store's versions then
 * never name two states.
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
        if (value instanceof Long number) {
          return hex(number);
        }
      }
      s = s instanceof ForwardingStore<?> && DELEGATE != null ? (Store<?>) invoke(DELEGATE, s) : null;
    }
    return RANDOM.computeIfAbsent(innermost, k -> random());
  }

  /** A new random epoch: 16 hexadecimal digits. */
  static String random() {
    return hex(ThreadLocalRandom.current().nextLong());
  }

  private static String hex(long value) {
    String hex = Long.toHexString(value);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /**
   * A public, no-argument {@code epoch()} returning a {@code String} or a {@code long}, declared by
   * a public class or interface of {@code type} (the backends' classes themselves may be
   * package-private, their public interfaces are not).
   */
  private static Optional<Method> epochMethod(Class<?> type) {
    java.util.ArrayDeque<Class<?>> types = new java.util.ArrayDeque<>();
    types.add(type);
    while (!types.isEmpty()) {
      Class<?> t = types.poll();
      if (Modifier.isPublic(t.getModifiers())) {
        try {
          Method method = t.getMethod("epoch");
          Class<?> returns = method.getReturnType();
          if ((returns == String.class || returns == long.class)
              && Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
            return Optional.of(method);
          }
        } catch (NoSuchMethodException e) {
          // look further up
        }
      }
      if (t.getSuperclass() != null) {
        types.add(t.getSuperclass());
      }
      types.addAll(java.util.List.of(t.getInterfaces()));
    }
    return Optional.empty();
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
