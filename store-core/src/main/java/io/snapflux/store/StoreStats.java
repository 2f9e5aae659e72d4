package io.snapflux.store;

/**
 * Counters a store keeps about itself, for metrics and diagnostics. Each value is read
 * independently; together they are not one atomic view.
 *
 * @param version the current version (equals the number of committed changes)
 * @param casRetries compare-and-set attempts that lost a race and were retried
 * @param versionConflicts version-checked updates refused because the store had moved on
 * @param validationRejections updates refused by a validator
 * @param subscribers live subscribers of {@code changes()} (and of everything built on it)
 * @param losslessSubscribers how many of them are {@linkplain Delivery#lossless(int) lossless};
 *     the others are conflated
 * @param maxLosslessLag the largest number of versions a lossless subscriber has yet to receive
 * @param lagOverflows lossless subscribers failed or resynced for exceeding their lag bound
 */
public record StoreStats(
    long version,
    long casRetries,
    long versionConflicts,
    long validationRejections,
    int subscribers,
    int losslessSubscribers,
    long maxLosslessLag,
    long lagOverflows) {}
