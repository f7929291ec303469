package io.kinhub.server.feed;

import java.time.Duration;

/**
 * Tunables of the feed and the live channel.
 *
 * @param timelineCap posts kept in each user's Redis timeline (and each family's post list)
 * @param fanoutBatch recipients per fan-out job
 * @param activeFor a timeline unread this long expires; such users get no fan-out and are rebuilt
 *     on return
 * @param pullAbove families with more members than this are merged into feeds at read time, not
 *     pushed
 * @param flushEvery how often one node copies changed counters to PostgreSQL
 * @param liveSocketsPerUser live sockets one user may hold open on one node
 * @param liveSocketsPerIp live sockets one client address may hold open on one node
 * @param liveQueue frames a live socket may have waiting; a client slower than that is disconnected
 */
public record FeedSettings(
    int timelineCap,
    int fanoutBatch,
    Duration activeFor,
    int pullAbove,
    Duration flushEvery,
    int liveSocketsPerUser,
    int liveSocketsPerIp,
    int liveQueue) {}
