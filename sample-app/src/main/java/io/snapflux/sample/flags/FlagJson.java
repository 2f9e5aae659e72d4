package io.snapflux.sample.flags;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the JSON form of a {@link Flag}, and applies JSON Merge Patches (RFC 7396) to
 * it.
 *
 * <p>Reading is strict and reports the first offending field by name, so a client learns exactly
 * what to fix: unknown fields, wrong types and out-of-range values are all rejected. Absent or
 * {@code null} fields take their defaults ({@code enabled} false, {@code rollout} 100, {@code
 * allow} empty, {@code description} empty), which is also what a merge patch's {@code null}
 * (remove the member) leads to.
 */
public final class FlagJson {

  /** Flag names: lower-case letters, digits, dot, underscore and dash; 1 to 64 of them. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,64}");

  static final int MAX_USER_LENGTH = 128;
  static final int MAX_ALLOW = 1000;
  static final int MAX_DESCRIPTION = 1000;
  private static final Set<String> FIELDS = Set.of("enabled", "rollout", "allow", "description");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private FlagJson() {}

  /**
   * Returns {@code name} if it is a valid flag name.
   *
   * @throws InvalidFieldException naming {@code name} otherwise
   */
  public static String requireName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidFieldException(
          "name", "A flag name must match [a-z0-9._-]{1,64}, was '" + abbreviate(name) + "'");
    }
    return name;
  }

  /**
   * Returns {@code user} if it can be evaluated.
   *
   * @throws InvalidFieldException naming {@code user} otherwise
   */
  public static String requireUser(String user) {
    if (user.isBlank() || user.length() > MAX_USER_LENGTH) {
      throw new InvalidFieldException(
          "user", "user must be 1 to " + MAX_USER_LENGTH + " characters and not blank");
    }
    return user;
  }

  /**
   * The flag a JSON document describes.
   *
   * @throws InvalidFieldException naming the first field that is unknown, mistyped or out of range
   */
  public static Flag read(JsonNode json) {
    if (!json.isObject()) {
      throw new InvalidFieldException("body", "A flag must be a JSON object");
    }
    for (String field : json.propertyNames()) {
      if (!FIELDS.contains(field)) {
        throw new InvalidFieldException(
            field, "Unknown field '" + abbreviate(field) + "'; a flag has " + FIELDS);
      }
    }
    boolean enabled = false;
    JsonNode node = json.get("enabled");
    if (present(node)) {
      if (!node.isBoolean()) {
        throw new InvalidFieldException("enabled", "enabled must be true or false");
      }
      enabled = node.booleanValue();
    }
    int rollout = Flag.MAX_ROLLOUT;
    node = json.get("rollout");
    if (present(node)) {
      if (!node.isIntegralNumber()
          || !node.canConvertToInt()
          || node.intValue() < Flag.MIN_ROLLOUT
          || node.intValue() > Flag.MAX_ROLLOUT) {
        throw new InvalidFieldException(
            "rollout", "rollout must be an integer percentage between 0 and 100, was " + node);
      }
      rollout = node.intValue();
    }
    SortedSet<String> allow = TreeSet.empty();
    node = json.get("allow");
    if (present(node)) {
      if (!node.isArray() || node.size() > MAX_ALLOW) {
        throw new InvalidFieldException(
            "allow", "allow must be an array of at most " + MAX_ALLOW + " user names");
      }
      for (JsonNode user : node) {
        if (!user.isString() || user.stringValue().isBlank()
            || user.stringValue().length() > MAX_USER_LENGTH) {
          throw new InvalidFieldException(
              "allow", "allow must hold user names of 1 to " + MAX_USER_LENGTH + " characters");
        }
        allow = allow.add(user.stringValue());
      }
    }
    String description = "";
    node = json.get("description");
    if (present(node)) {
      if (!node.isString() || node.stringValue().length() > MAX_DESCRIPTION) {
        throw new InvalidFieldException(
            "description", "description must be a string of at most " + MAX_DESCRIPTION
                + " characters");
      }
      description = node.stringValue();
    }
    return new Flag(enabled, rollout, allow, description);
  }

  /** The JSON form of {@code flag}. */
  public static ObjectNode write(Flag flag) {
    ObjectNode json = NODES.objectNode();
    json.put("enabled", flag.enabled());
    json.put("rollout", flag.rollout());
    ArrayNode allow = json.putArray("allow");
    flag.allow().forEach(allow::add);
    json.put("description", flag.description());
    return json;
  }

  /**
   * Applies a JSON Merge Patch to {@code flag} (RFC 7396 §2): members of an object patch replace
   * those of the target, recursively; {@code null} removes a member; any other patch replaces the
   * target whole.
   *
   * @throws InvalidFieldException if the result is not a valid flag
   */
  public static Flag mergePatch(Flag flag, JsonNode patch) {
    return read(mergePatch(write(flag), patch));
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target.isObject() ? ((ObjectNode) target).deepCopy() : NODES.objectNode();
    for (Map.Entry<String, JsonNode> member : patch.properties()) {
      if (member.getValue().isNull()) {
        result.remove(member.getKey());
      } else {
        JsonNode current = result.get(member.getKey());
        result.set(
            member.getKey(),
            mergePatch(current == null ? NODES.missingNode() : current, member.getValue()));
      }
    }
    return result;
  }

  private static boolean present(JsonNode node) {
    return node != null && !node.isNull();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
