package io.snapflux.benchmarks;

import io.vavr.collection.HashMap;
import java.util.concurrent.ThreadLocalRandom;

/** The 1,000-key dictionary shared by the dictionary and read-mostly benchmarks. */
final class Keys {

  static final int COUNT = 1_000;

  /** Pre-boxed keys, so picking a key allocates nothing. */
  static final Integer[] KEYS = new Integer[COUNT];

  static {
    for (int i = 0; i < COUNT; i++) {
      KEYS[i] = i;
    }
  }

  private Keys() {}

  static Integer random() {
    return KEYS[ThreadLocalRandom.current().nextInt(COUNT)];
  }

  static HashMap<Integer, Integer> vavrMap() {
    HashMap<Integer, Integer> m = HashMap.empty();
    for (Integer k : KEYS) {
      m = m.put(k, 0);
    }
    return m;
  }

  static java.util.HashMap<Integer, Integer> jdkMap() {
    java.util.HashMap<Integer, Integer> m = new java.util.HashMap<>();
    for (Integer k : KEYS) {
      m.put(k, 0);
    }
    return m;
  }
}
