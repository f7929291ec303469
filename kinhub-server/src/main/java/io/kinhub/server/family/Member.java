package io.kinhub.server.family;

import io.kinhub.server.permission.Roles.FamilyRole;
import java.time.Instant;

/** A member of a family. */
public record Member(long userId, String displayName, FamilyRole role, Instant joinedAt) {}
