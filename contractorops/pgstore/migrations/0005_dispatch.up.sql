-- 0005: dispatch assignments (one technician on one visit).

CREATE TABLE assignments (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	job_id text COLLATE "C",
	visit_id text COLLATE "C",
	technician_id text COLLATE "C",
	status text COLLATE "C",
	starts_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id),
	FOREIGN KEY (organization_id, visit_id) REFERENCES visits (organization_id, id),
	FOREIGN KEY (organization_id, technician_id) REFERENCES technicians (organization_id, id)
);
CREATE INDEX assignments_job_id ON assignments (organization_id, job_id, id);
CREATE INDEX assignments_visit_id ON assignments (organization_id, visit_id, id);
CREATE INDEX assignments_technician_id ON assignments (organization_id, technician_id, starts_at, id);
CREATE INDEX assignments_status ON assignments (organization_id, status, id);
CREATE INDEX assignments_starts_at ON assignments (organization_id, starts_at, id);
SELECT opsengine_protect('assignments');
