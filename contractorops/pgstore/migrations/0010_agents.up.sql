-- 0010: what the built-in agents remember between runs: the expiry notices
-- the compliance agent gave (one row per document and expiry), and the jobs
-- the dispatcher agent already considered on a day.

CREATE TABLE agent_notices (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	agent text COLLATE "C",
	subject text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX agent_notices_agent ON agent_notices (organization_id, agent, id);
CREATE INDEX agent_notices_subject ON agent_notices (organization_id, subject, id);
SELECT opsengine_protect('agent_notices');

CREATE TABLE agent_runs (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	agent text COLLATE "C",
	run_date text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX agent_runs_agent ON agent_runs (organization_id, agent, run_date, id);
SELECT opsengine_protect('agent_runs');
