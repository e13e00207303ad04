-- 0002: jobs, their visits, the domain-event outbox and the SLA settings.

CREATE TABLE sla_settings (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
SELECT opsengine_protect('sla_settings');

CREATE TABLE jobs (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	status text COLLATE "C",
	priority text COLLATE "C",
	customer_id text COLLATE "C",
	technician_id text COLLATE "C",
	source text COLLATE "C",
	external_ref text COLLATE "C",
	created_at text COLLATE "C",
	sla_wake text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE UNIQUE INDEX jobs_number ON jobs (organization_id, number);
CREATE INDEX jobs_status ON jobs (organization_id, status, id);
CREATE INDEX jobs_priority ON jobs (organization_id, priority, id);
CREATE INDEX jobs_customer_id ON jobs (organization_id, customer_id, id);
CREATE INDEX jobs_technician_id ON jobs (organization_id, technician_id, id);
CREATE INDEX jobs_source ON jobs (organization_id, source, id);
CREATE INDEX jobs_external_ref ON jobs (organization_id, external_ref, id);
CREATE INDEX jobs_created_at ON jobs (organization_id, created_at, id);
CREATE INDEX jobs_sla_wake ON jobs (organization_id, sla_wake, id) WHERE sla_wake IS NOT NULL;
SELECT opsengine_protect('jobs');

CREATE TABLE visits (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	job_id text COLLATE "C",
	technician_id text COLLATE "C",
	status text COLLATE "C",
	starts_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id)
);
CREATE INDEX visits_job_id ON visits (organization_id, job_id, id);
CREATE INDEX visits_technician_id ON visits (organization_id, technician_id, starts_at, id);
CREATE INDEX visits_status ON visits (organization_id, status, id);
CREATE INDEX visits_starts_at ON visits (organization_id, starts_at, id);
SELECT opsengine_protect('visits');

CREATE TABLE events (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	seq text COLLATE "C",
	type text COLLATE "C",
	job_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX events_seq ON events (organization_id, seq);
CREATE INDEX events_type ON events (organization_id, type, seq);
CREATE INDEX events_job_id ON events (organization_id, job_id, seq);
SELECT opsengine_protect('events');
