package io.snapflux.client;

/**
 * {@link RemoteStore#update} was refused with {@code 412} on every attempt of its budget: other
 * writers kept changing the resource between its read and its write. Nothing this update
 * computed was written.
 */
public class ConflictRetriesExhaustedException extends RemoteStoreException {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final int attempts;

  /**
   * The budget ran out.
   *
   * @param path the resource's path
   * @param attempts how many read-modify-write attempts were made
   * @param last the last attempt's refusal
   */
  public ConflictRetriesExhaustedException(
      String path, int attempts, PreconditionFailedException last) {
    super("Update of " + path + " conflicted on all " + attempts
        + " attempts (412 Precondition Failed each time); nothing was written", 412, last);
    this.path = path;
    this.attempts = attempts;
  }

  /**
   * The resource's path.
   *
   * @return the path given to {@link RemoteStore#update}
   */
  public String path() {
    return path;
  }

  /**
   * How many attempts were made, all refused.
   *
   * @return the attempts
   */
  public int attempts() {
    return attempts;
  }
}
