-- The template document as it was written (YAML, comments kept), so revision diffs show the
-- author's text rather than the JSONB's reordered keys. Nullable: older revisions have none.
ALTER TABLE "template_revisions" ADD COLUMN "source" TEXT;
