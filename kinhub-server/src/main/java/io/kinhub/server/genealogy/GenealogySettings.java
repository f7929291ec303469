package io.kinhub.server.genealogy;

/**
 * A family's genealogy settings: who counts as living and what visitors see of them, and the
 * generation poem.
 *
 * @param maxAliveAge a person born more than this many years ago is taken to be dead
 * @param livingNamesToEveryone visitors see living persons' real names (never their dates, places
 *     or notes)
 * @param founderPersonId the first generation (世 1) of the paternal line, or null
 * @param generationPoem the 字辈 poem, one character per generation, or null
 * @param poemStartGeneration the generation named by the poem's first character
 * @param familySurname the family's surname, used to find the given part of names
 */
public record GenealogySettings(
    int maxAliveAge,
    boolean livingNamesToEveryone,
    Long founderPersonId,
    String generationPoem,
    int poemStartGeneration,
    String familySurname) {
  public static final int DEFAULT_MAX_ALIVE_AGE = 120;
}
