package io.snapflux.sample.flags;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The cause recorded with every version the service commits: what was done, to which flag, by
 * whom. History and the page show it; it is serialised as given.
 *
 * @param action {@code create}, {@code replace}, {@code patch}, {@code delete} or {@code undo}
 * @param flag the flag changed, or {@code null} for an undo
 * @param by the authenticated user
 * @param reverts for an undo, the version whose change it reverted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Change(String action, @Nullable String flag, String by, @Nullable Long reverts) {

  /** A change to one flag. */
  public static Change of(String action, String flag, String by) {
    return new Change(action, flag, by, null);
  }

  /** An undo of the change that produced {@code version}. */
  public static Change undo(long version, String by) {
    return new Change("undo", null, by, version);
  }

  /** Whether this change is an undo. */
  @JsonIgnore
  public boolean isUndo() {
    return reverts != null;
  }
}
