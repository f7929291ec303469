-- Invitations die with their creator's right to invite (removal, leaving, demotion) or when revoked, and stay
-- dead: the row is kept so that accepting it says why (410) instead of "no such invitation".
ALTER TABLE invitation ADD COLUMN revoked_at TIMESTAMPTZ;
ALTER TABLE invitation ADD COLUMN revoked_reason TEXT;
ALTER TABLE invitation ADD CONSTRAINT invitation_revoked_reason
    CHECK (revoked_reason IS NULL OR revoked_reason IN ('revoked', 'creator_lost_permission'));
-- the live invitations of one creator in one family, found when that creator's role changes
CREATE INDEX invitation_live_by_creator ON invitation (family_id, created_by)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
