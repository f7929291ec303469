package io.kinhub.server.tree.gedcom;

/**
 * What a read found: the decoding actually used ("UTF-8", "ANSEL", "windows-1252", ...), the HEAD's
 * SOUR (the program that wrote the file, null if absent) and how many lines, persons and families
 * were read.
 */
public record GedcomSummary(String charset, String source, int lines, int persons, int families) {}
