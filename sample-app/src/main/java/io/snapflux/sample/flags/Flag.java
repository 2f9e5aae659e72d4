package io.snapflux.sample.flags;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import java.util.Objects;

/**
 * One feature flag. Its JSON form, {@code {"enabled": true, "rollout": 50, "allow": ["alice"],
 * "description": "…"}}, is part of the service's contract.
 *
 * @param enabled whether the flag is on at all; a disabled flag evaluates to {@code false} for
 *     everyone, allow-listed users included
 * @param rollout the percentage (0–100) of users, by stable hash, who get the flag while it is
 *     enabled
 * @param allow users who always get the flag while it is enabled
 * @param description what the flag is for
 */
public record Flag(boolean enabled, int rollout, SortedSet<String> allow, String description) {

  /** The smallest and largest rollout percentages. */
  public static final int MIN_ROLLOUT = 0, MAX_ROLLOUT = 100;

  /** Checks the invariants; the JSON reader reports violations per field before getting here. */
  public Flag {
    if (rollout < MIN_ROLLOUT || rollout > MAX_ROLLOUT) {
      throw new IllegalArgumentException("rollout must be between 0 and 100, was " + rollout);
    }
    Objects.requireNonNull(allow, "allow");
    Objects.requireNonNull(description, "description");
  }

  /** A flag with the given settings and an empty allow-list. */
  public static Flag of(boolean enabled, int rollout, String description) {
    return new Flag(enabled, rollout, TreeSet.empty(), description);
  }

  /** This flag allowing {@code users} too. */
  public Flag allowing(String... users) {
    return new Flag(enabled, rollout, allow.addAll(TreeSet.of(users)), description);
  }
}
