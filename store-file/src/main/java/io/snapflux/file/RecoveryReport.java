package io.snapflux.file;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link FileStore} found when it opened its directory.
 *
 * @param version the version the store was restored at ({@code 0} for a new store)
 * @param newStore whether the directory held no store yet and the initial state was used
 * @param source the file the restored state was read from, or {@code "initial"}
 * @param fileSchemaVersion the schema version the restored state was written with
 * @param migrated whether migrations were applied to bring it to the current schema version
 * @param warnings what recovery repaired or skipped (a torn or corrupt journal tail, a corrupt
 *     snapshot replaced by the journal), each naming the file, the offset and the version kept;
 *     empty after a clean shutdown
 */
public record RecoveryReport(
    long version,
    boolean newStore,
    String source,
    int fileSchemaVersion,
    boolean migrated,
    List<String> warnings) {

  /** Copies the warnings. */
  public RecoveryReport {
    Objects.requireNonNull(source, "source");
    warnings = List.copyOf(warnings);
  }

  /** Whether recovery had to repair or skip anything. */
  public boolean repaired() {
    return !warnings.isEmpty();
  }
}
