-- 0008: maintenance contracts, their schedules, scheduled visits and SLA records.

CREATE TABLE service_contracts (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	status text COLLATE "C",
	customer_id text COLLATE "C",
	association_id text COLLATE "C",
	end_date text COLLATE "C",
	renewal_due text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE UNIQUE INDEX service_contracts_number ON service_contracts (organization_id, number);
CREATE INDEX service_contracts_status ON service_contracts (organization_id, status, id);
CREATE INDEX service_contracts_customer_id ON service_contracts (organization_id, customer_id, id);
CREATE INDEX service_contracts_association_id ON service_contracts (organization_id, association_id, id);
CREATE INDEX service_contracts_end_date ON service_contracts (organization_id, end_date, id);
CREATE INDEX service_contracts_renewal_due ON service_contracts (organization_id, renewal_due, id) WHERE renewal_due IS NOT NULL;
SELECT opsengine_protect('service_contracts');

CREATE TABLE contract_schedules (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	contract_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, contract_id) REFERENCES service_contracts (organization_id, id)
);
CREATE INDEX contract_schedules_contract_id ON contract_schedules (organization_id, contract_id, id);
SELECT opsengine_protect('contract_schedules');

CREATE TABLE scheduled_visits (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	contract_id text COLLATE "C",
	schedule_id text COLLATE "C",
	occurs_on text COLLATE "C",
	status text COLLATE "C",
	technician_id text COLLATE "C",
	starts_at text COLLATE "C",
	job_id text COLLATE "C",
	release_due text COLLATE "C",
	check_due text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, contract_id) REFERENCES service_contracts (organization_id, id),
	FOREIGN KEY (organization_id, schedule_id) REFERENCES contract_schedules (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id)
);
-- A schedule's day has one visit: its identity (a replacement of a
-- rescheduled visit has no occurs_on key, so it does not take the day).
CREATE UNIQUE INDEX scheduled_visits_occurrence ON scheduled_visits (organization_id, schedule_id, occurs_on);
CREATE INDEX scheduled_visits_contract_id ON scheduled_visits (organization_id, contract_id, starts_at, id);
CREATE INDEX scheduled_visits_status ON scheduled_visits (organization_id, status, id);
CREATE INDEX scheduled_visits_technician_id ON scheduled_visits (organization_id, technician_id, starts_at, id);
CREATE INDEX scheduled_visits_starts_at ON scheduled_visits (organization_id, starts_at, id);
CREATE INDEX scheduled_visits_job_id ON scheduled_visits (organization_id, job_id, id);
CREATE INDEX scheduled_visits_release_due ON scheduled_visits (organization_id, release_due, id) WHERE release_due IS NOT NULL;
CREATE INDEX scheduled_visits_check_due ON scheduled_visits (organization_id, check_due, id) WHERE check_due IS NOT NULL;
SELECT opsengine_protect('scheduled_visits');

CREATE TABLE contract_sla_records (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	contract_id text COLLATE "C",
	period text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, contract_id) REFERENCES service_contracts (organization_id, id)
);
CREATE UNIQUE INDEX contract_sla_records_period ON contract_sla_records (organization_id, contract_id, period);
SELECT opsengine_protect('contract_sla_records');
