package io.snapflux.sample.flags;

import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * The whole state of the service: every flag by name, in name order. Immutable; every change
 * returns a new value sharing structure with this one.
 *
 * @param flags the flags by name
 */
public record AppState(SortedMap<String, Flag> flags) {

  /** Checks for nulls. */
  public AppState {
    Objects.requireNonNull(flags, "flags");
  }

  /** No flags. */
  public static AppState empty() {
    return new AppState(TreeMap.empty());
  }

  /** The flags a fresh service starts with, so the page has something to show. */
  public static AppState seed() {
    return empty()
        .with("dark-mode", Flag.of(true, 100, "Dark colour scheme for the dashboard"))
        .with("new-checkout", Flag.of(true, 25, "Single-page checkout flow").allowing("alice"))
        .with("search.v2", Flag.of(false, 0, "Vector search backend for the catalogue"));
  }

  /** The flag named {@code name}, if any. */
  public Option<Flag> flag(String name) {
    return flags.get(name);
  }

  /** This state with {@code flag} under {@code name}, added or replaced. */
  public AppState with(String name, Flag flag) {
    return new AppState(flags.put(name, flag));
  }

  /** This state without the flag named {@code name}. */
  public AppState without(String name) {
    return new AppState(flags.remove(name));
  }
}
