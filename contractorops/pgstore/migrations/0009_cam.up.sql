-- 0009: CAM integration. The association–vendor links and the compliance a
-- contractor publishes through them are the only rows two organizations
-- share; each table has policies of its own. The delivery cursor of the CAM
-- bridge is an ordinary tenant table.

-- A link between an association (COMMUNITY_ASSOCIATION or
-- MANAGEMENT_COMPANY) and a contractor. Both parties see and write it; no
-- one else does. Its parties never change.
CREATE TABLE cam_links (
	id text COLLATE "C" PRIMARY KEY,
	version bigint NOT NULL,
	association_org_id uuid NOT NULL,
	contractor_org_id uuid NOT NULL,
	status text COLLATE "C" NOT NULL,
	data jsonb NOT NULL,
	UNIQUE (association_org_id, contractor_org_id),
	CHECK (association_org_id <> contractor_org_id)
);
CREATE INDEX cam_links_contractor ON cam_links (contractor_org_id, association_org_id);
ALTER TABLE cam_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE cam_links FORCE ROW LEVEL SECURITY;
CREATE POLICY cam_link_parties ON cam_links
	USING ((SELECT NULLIF(current_setting('app.org_id', true), '')::uuid) IN (association_org_id, contractor_org_id))
	WITH CHECK ((SELECT NULLIF(current_setting('app.org_id', true), '')::uuid) IN (association_org_id, contractor_org_id));

-- Beyond the policy: a link is born PENDING, its parties never change, and
-- only its contractor approves a pending link.
CREATE FUNCTION cam_links_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'PENDING' THEN
			RAISE EXCEPTION 'a CAM link starts PENDING' USING ERRCODE = 'check_violation';
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.association_org_id <> OLD.association_org_id OR NEW.contractor_org_id <> OLD.contractor_org_id THEN
		RAISE EXCEPTION 'the parties of a CAM link never change' USING ERRCODE = 'check_violation';
	END IF;
	IF OLD.status = 'PENDING' AND NEW.status = 'APPROVED'
		AND NEW.contractor_org_id IS DISTINCT FROM (SELECT NULLIF(current_setting('app.org_id', true), '')::uuid) THEN
		RAISE EXCEPTION 'only the contractor approves a CAM link' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER cam_links_guard BEFORE INSERT OR UPDATE ON cam_links
	FOR EACH ROW EXECUTE FUNCTION cam_links_guard();

-- A contractor's published compliance snapshot: written by its owner only
-- (tenant_isolation), read by its owner and by the associations holding an
-- APPROVED link with it.
CREATE TABLE cam_published_compliance (
	organization_id uuid PRIMARY KEY,
	version bigint NOT NULL,
	data jsonb NOT NULL
);
SELECT opsengine_protect('cam_published_compliance');
CREATE POLICY cam_approved_associations ON cam_published_compliance FOR SELECT
	USING (EXISTS (SELECT 1 FROM cam_links l
		WHERE l.contractor_org_id = cam_published_compliance.organization_id
		AND l.association_org_id = (SELECT NULLIF(current_setting('app.org_id', true), '')::uuid)
		AND l.status = 'APPROVED'));

-- Each organization's delivery of CAM events to the host's bridge.
CREATE TABLE cam_delivery (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
SELECT opsengine_protect('cam_delivery');
