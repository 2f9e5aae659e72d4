package io.snapflux.file;

/**
 * Counters about the journal of a {@link FileStore}. Each value is read independently.
 *
 * @param durableVersion the newest version known to be on disk
 * @param records journal records written (each holds one version: the newest at the time)
 * @param fsyncs forces of the journal to the device; with group commit, fewer than the versions
 *     committed under concurrent load
 * @param compactions snapshot files written to replace a grown journal (including the one at
 *     open)
 * @param journalBytes the current size of the journal file
 * @param pendingMillis how long the oldest committed version that is not yet on disk has been
 *     waiting for its write and fsync (an upper bound), 0 when every committed version is
 * @param stalled whether {@code pendingMillis} exceeds the {@linkplain
 *     FileStoreBuilder#stallTimeout(java.time.Duration) stall timeout}: the store then refuses
 *     updates until the disk catches up
 */
public record JournalStats(
    long durableVersion, long records, long fsyncs, long compactions, long journalBytes,
    long pendingMillis, boolean stalled) {}
