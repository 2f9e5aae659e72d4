package io.snapflux.redis.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the Redis backend ({@code snapflux.redis.*}); the connection itself comes from
 * Spring Boot's {@code spring.data.redis.*}.
 *
 * @param writeTimeout How long a write may take before it fails with {@code
 *     StoreUnavailableException}.
 * @param streamMaxLength The approximate number of changes each store's stream keeps.
 * @param pollTimeout How long one {@code XREAD BLOCK} of a store's follower waits.
 * @param dedicatedResources Whether the backend's Lettuce client runs on resources (event loops,
 *     reconnect delay) of its own instead of Spring Boot's shared {@code ClientResources} bean,
 *     e.g. to keep store traffic off the event loops of the application's other Redis use.
 * @param replicaAcks How many replicas must confirm a write ({@code WAIT} after each commit)
 *     before it is acknowledged; 0 acknowledges on the master's reply. A write that fewer
 *     replicas confirm committed and fails with {@code ReplicaAcknowledgementException}.
 * @param replicaAckTimeout How long {@code WAIT} waits for the replicas.
 * @param queueWrites Whether an instance's writes to one store take turns (one at a time, each
 *     from its predecessor's commit, so they never conflict with each other); a write waits for
 *     its turn at most the write timeout. {@code false} sends every write at once.
 * @param writeIdRetention For how many versions Redis keeps the ids of committed writes, so that
 *     a write whose reply was lost can be settled: cover what all instances commit during a
 *     write timeout and a status check (about 130 bytes of Redis memory per version).
 * @param followerPause How long a store's stream follower waits for a pause in this instance's
 *     own commits before it reads the stream again; 0 reads after every commit.
 */
@ConfigurationProperties("snapflux.redis")
public record SnapfluxRedisProperties(
    @DefaultValue("5s") Duration writeTimeout,
    @DefaultValue("1000") long streamMaxLength,
    @DefaultValue("1s") Duration pollTimeout,
    @DefaultValue("false") boolean dedicatedResources,
    @DefaultValue("0") int replicaAcks,
    @DefaultValue("1s") Duration replicaAckTimeout,
    @DefaultValue("true") boolean queueWrites,
    @DefaultValue("10000") long writeIdRetention,
    @DefaultValue("1ms") Duration followerPause) {}
