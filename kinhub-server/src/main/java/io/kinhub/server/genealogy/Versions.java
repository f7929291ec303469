package io.kinhub.server.genealogy;

import java.util.Optional;

/**
 * The current version of each family's tree: the kin graphs are keyed by it, and a change of the
 * genealogy settings moves it on. The tree's near-cached versions implement it, so that genealogy
 * stays below the tree, which reads its graphs and privacy rules.
 */
public interface Versions {
  /** The family's tree version; empty when the family does not exist. */
  Optional<Long> version(long familyId);

  /** After a committed change of what the tree shows: every node forgets the old version. */
  void changed(long familyId);
}
