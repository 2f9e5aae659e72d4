package io.snapflux.sample.flags;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Decides whether a user gets a flag.
 *
 * <p>A disabled flag is off for everyone. An enabled flag is on for every user in its allow-list,
 * and otherwise for the users whose <em>bucket</em> is below the rollout percentage. The bucket
 * is stable: the first four bytes of SHA-256 over the UTF-8 bytes of {@code <flag>:<user>}, read
 * as an unsigned big-endian integer, modulo 100. Any client can compute the same bucket, raising
 * the rollout only ever adds users, and the flag name in the hash keeps different flags from
 * picking the same users. ({@code :} cannot occur in a flag name, so the input is unambiguous.)
 */
public final class Rollout {

  private Rollout() {}

  /** Why a user got the answer they got. */
  public enum Reason {
    /** The flag is disabled. */
    DISABLED,
    /** The user is on the allow-list. */
    ALLOW_LIST,
    /** The user's bucket is compared with the rollout percentage. */
    ROLLOUT;

    /** The JSON form: {@code disabled}, {@code allow-list}, {@code rollout}. */
    @JsonValue
    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * The answer for one user.
   *
   * @param flag the flag's name
   * @param user the user
   * @param enabled whether the user gets the flag
   * @param reason why
   * @param bucket the user's stable bucket, 0–99
   */
  public record Evaluation(String flag, String user, boolean enabled, Reason reason, int bucket) {}

  /** Evaluates {@code flag} (named {@code name}) for {@code user}. */
  public static Evaluation evaluate(String name, Flag flag, String user) {
    int bucket = bucket(name, user);
    if (!flag.enabled()) {
      return new Evaluation(name, user, false, Reason.DISABLED, bucket);
    }
    if (flag.allow().contains(user)) {
      return new Evaluation(name, user, true, Reason.ALLOW_LIST, bucket);
    }
    return new Evaluation(name, user, bucket < flag.rollout(), Reason.ROLLOUT, bucket);
  }

  /** The stable bucket, 0–99, of {@code user} for the flag named {@code flag}. */
  public static int bucket(String flag, String user) {
    byte[] hash = sha256().digest((flag + ":" + user).getBytes(StandardCharsets.UTF_8));
    return (int) (Integer.toUnsignedLong(ByteBuffer.wrap(hash).getInt()) % 100);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
