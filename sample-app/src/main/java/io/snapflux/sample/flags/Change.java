package io.snapflux.sample.flags;

/**
 * The cause recorded with every version a flag write commits: what was done, to which flag, by
 * whom. History and the event stream show it as JSON, e.g. {@code {"action": "patch", "flag":
 * "dark-mode", "by": "admin"}}. Undo's versions carry the core's {@link
 * io.snapflux.store.HistoryCause.Undo} instead.
 *
 * @param action {@code create}, {@code replace}, {@code patch} or {@code delete}
 * @param flag the flag changed
 * @param by the authenticated user
 */
public record Change(String action, String flag, String by) {

  /** A change to one flag. */
  public static Change of(String action, String flag, String by) {
    return new Change(action, flag, by);
  }
}
