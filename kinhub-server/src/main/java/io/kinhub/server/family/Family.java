package io.kinhub.server.family;

import java.time.Instant;

/** A family (clan) as stored. */
public record Family(
    long id,
    String name,
    String surname,
    String description,
    boolean isPublic,
    int memberCount,
    Instant createdAt) {}
