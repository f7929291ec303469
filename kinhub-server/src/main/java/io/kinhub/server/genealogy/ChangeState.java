package io.kinhub.server.genealogy;

/**
 * What a recorded change's {@code before} or {@code after} holds: a person, or the counts of a
 * GEDCOM import.
 */
public sealed interface ChangeState permits PersonState, ImportState {}
