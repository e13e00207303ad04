-- 0011: an organization's choices about the scheduled agents (whether the
-- dispatcher agent plans its days on its own).

CREATE TABLE agent_settings (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
SELECT opsengine_protect('agent_settings');
