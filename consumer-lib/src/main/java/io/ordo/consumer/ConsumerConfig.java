package io.ordo.consumer;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A consumer's settings, validated by {@link Consumer.Builder#build}. Immutable.
 *
 * @param group consumer group, or null for none (no commits, no standby)
 * @param creditBytes bytes of batches the broker may push ahead of the handler
 * @param maxHandlerMs in a group, the longest one handler call may run before this member gives up
 *     its membership so that a standby takes over (Kafka's {@code max.poll.interval.ms})
 * @param offsetReset what to do when the position to resume from is behind the log's start
 */
public record ConsumerConfig(
    List<InetSocketAddress> bootstrapServers,
    String clientId,
    String group,
    String memberId,
    int sessionTimeoutMs,
    long creditBytes,
    CommitPolicy commitPolicy,
    long commitIntervalMs,
    long reconnectBackoffMs,
    int connectTimeoutMs,
    int maxBatchBytes,
    long maxHandlerMs,
    OffsetReset offsetReset) {}
