package io.snapflux.redis;

/**
 * What a {@link RedisStore} instance has done with Redis since it was built: counters that only
 * grow, and the stream lag, a gauge. Read by {@link RedisStore#redisStats()}; each counter is
 * exact, the record as a whole is not an atomic snapshot (counters are read one after another).
 *
 * @param roundTrips commands this instance sent to Redis for writes and resyncs, each resend
 *     counted: every COMMIT, SYNC, ADVANCE and FENCE script call (the one made at start-up and
 *     those of {@link RedisStore#commitStatus(String)} included), every catch-up read a writer
 *     makes to fill in versions committed elsewhere before its own (XRANGE pages) and every
 *     history check (ZSCORE, HGET). Not counted: the follower's blocking XREAD polls, the
 *     start-up {@code CONFIG GET}, and the EVAL a script call falls back to on {@code NOSCRIPT}
 * @param retries commit attempts retried because another writer committed first (the COMMIT
 *     found a newer version); the same count as {@code StoreStats.casRetries()}.
 *     {@code compareAndSet} and {@code updateIfVersion} report such a conflict instead and do not
 *     count here
 * @param resends commands sent again after a transport error (a lost connection or reply): a
 *     COMMIT resent under the same write id, a SYNC, a catch-up read
 * @param reconnects times one of the instance's connections to Redis (the writers' connection
 *     or the follower's) was re-established after it was lost; one outage usually counts two
 * @param resyncs times the instance re-synchronised with Redis's state (SYNC, then reconciling
 *     histories) instead of following the stream entry by entry, counted when the resync
 *     completed: after a reconnection, an entry missing from the stream (trimmed) or undecodable,
 *     an entry of another history, a COMMIT refused because Redis lost the store's keys, holds
 *     another history or came back older, and a version-checked write naming a version this
 *     replica has not seen yet
 * @param writeTimeouts writes whose reply did not arrive within the write timeout (each then
 *     settled by asking Redis, or failed if no COMMIT was on its way)
 * @param outcomesUnknown writes that failed with {@link CommitOutcomeUnknownException}: the
 *     write timed out and Redis could not be asked whether it committed
 * @param underReplicated writes that failed with {@link ReplicaAcknowledgementException}: with
 *     {@link RedisStoreBuilder#replicaAcks(int, java.time.Duration) replicaAcks} n above 0, commits
 *     applied on the master whose WAIT counted fewer than n replicas within the timeout, or was
 *     not answered (the COMMIT's reply was lost and a status check found it committed); one per
 *     such write. Always 0 without replica acknowledgement
 * @param streamLagVersions how many versions the local replica is behind the newest version
 *     this instance has seen in Redis (in a COMMIT, SYNC or ADVANCE reply or a stream entry read);
 *     0 when caught up. It cannot see versions committed elsewhere that it has not read yet
 */
public record RedisStats(
    long roundTrips,
    long retries,
    long resends,
    long reconnects,
    long resyncs,
    long writeTimeouts,
    long outcomesUnknown,
    long underReplicated,
    long streamLagVersions) {}
