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
 */
public record JournalStats(
    long durableVersion, long records, long fsyncs, long compactions, long journalBytes) {}
