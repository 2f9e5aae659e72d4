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
 * @param warnings what recovery repaired or skipped (a torn or corrupt journal tail, damaged
 *     records, a corrupt snapshot replaced by the journal, a new epoch), each naming the file,
 *     the offset and the version kept; empty after a clean shutdown
 * @param epoch the store's {@linkplain FileStore#epoch() epoch} from now on
 * @param newEpoch whether the epoch is new: a new store, or versions acknowledged before may be
 *     lost (an unclean shutdown with ASYNC durability, a restart from the snapshot alone), so the
 *     versions issued from now on may repeat numbers of versions someone saw
 */
public record RecoveryReport(
    long version,
    boolean newStore,
    String source,
    int fileSchemaVersion,
    boolean migrated,
    List<String> warnings,
    long epoch,
    boolean newEpoch) {

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
