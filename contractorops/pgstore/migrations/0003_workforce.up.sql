-- 0003: contractor identity and compliance, and the workforce.

CREATE TABLE contractor_branches (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	code text COLLATE "C",
	name text COLLATE "C",
	is_primary text COLLATE "C",
	active text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX contractor_branches_code ON contractor_branches (organization_id, code);
-- is_primary is set on the primary branch only: one per organization.
CREATE UNIQUE INDEX contractor_branches_is_primary ON contractor_branches (organization_id, is_primary);
CREATE INDEX contractor_branches_name ON contractor_branches (organization_id, name, id);
SELECT opsengine_protect('contractor_branches');

CREATE TABLE contractor_trades (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	trade text COLLATE "C",
	is_primary text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX contractor_trades_trade ON contractor_trades (organization_id, trade);
CREATE UNIQUE INDEX contractor_trades_is_primary ON contractor_trades (organization_id, is_primary);
SELECT opsengine_protect('contractor_trades');

CREATE TABLE contractor_licenses (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	authority text COLLATE "C",
	number text COLLATE "C",
	trade text COLLATE "C",
	expires_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX contractor_licenses_number ON contractor_licenses (organization_id, authority, number);
CREATE INDEX contractor_licenses_trade ON contractor_licenses (organization_id, trade, id);
CREATE INDEX contractor_licenses_expires_at ON contractor_licenses (organization_id, expires_at, id);
SELECT opsengine_protect('contractor_licenses');

CREATE TABLE contractor_insurance_policies (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	carrier text COLLATE "C",
	policy_number text COLLATE "C",
	type text COLLATE "C",
	expires_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX contractor_insurance_policies_number ON contractor_insurance_policies (organization_id, carrier, policy_number);
CREATE INDEX contractor_insurance_policies_type ON contractor_insurance_policies (organization_id, type, id);
CREATE INDEX contractor_insurance_policies_expires_at ON contractor_insurance_policies (organization_id, expires_at, id);
SELECT opsengine_protect('contractor_insurance_policies');

CREATE TABLE service_areas (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	name text COLLATE "C",
	active text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX service_areas_name ON service_areas (organization_id, name, id);
SELECT opsengine_protect('service_areas');

-- One row per organization (its id is the organization's): the compliance
-- policy, the block and the last computed status.
CREATE TABLE contractor_compliance (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
SELECT opsengine_protect('contractor_compliance');

CREATE TABLE technicians (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	name text COLLATE "C",
	employee_id text COLLATE "C",
	active text COLLATE "C",
	branch_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
ALTER TABLE technicians ADD FOREIGN KEY (organization_id, branch_id) REFERENCES contractor_branches (organization_id, id);
CREATE UNIQUE INDEX technicians_employee_id ON technicians (organization_id, employee_id);
CREATE INDEX technicians_name ON technicians (organization_id, name, id);
CREATE INDEX technicians_branch_id ON technicians (organization_id, branch_id, name, id);
SELECT opsengine_protect('technicians');

CREATE TABLE technician_time_off (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	technician_id text COLLATE "C",
	starts_at text COLLATE "C",
	ends_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
ALTER TABLE technician_time_off ADD FOREIGN KEY (organization_id, technician_id) REFERENCES technicians (organization_id, id);
CREATE INDEX technician_time_off_technician_id ON technician_time_off (organization_id, technician_id, starts_at, id);
CREATE INDEX technician_time_off_starts_at ON technician_time_off (organization_id, starts_at, id);
SELECT opsengine_protect('technician_time_off');
