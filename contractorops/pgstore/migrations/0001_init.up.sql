-- 0001: the store's foundations and the first tables.
--
-- Every engine table has the same shape: the tenant, an id, a version for
-- optimistic concurrency, one column per indexed key (text in the C collation,
-- so that ordering is byte order, as in memstore), and the JSON document.

-- opsengine_protect puts a table under tenant isolation: row-level security,
-- forced (so that the owner is subject to it too), with one policy that
-- admits the rows of the organization set by set_config('app.org_id', …, true).
CREATE FUNCTION opsengine_protect(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
	EXECUTE format($p$CREATE POLICY tenant_isolation ON %s
		USING (organization_id = (SELECT NULLIF(current_setting('app.org_id', true), '')::uuid))
		WITH CHECK (organization_id = (SELECT NULLIF(current_setting('app.org_id', true), '')::uuid))$p$, t);
END
$$;

-- Per-organization counters: human numbers (JOB-2026-00001) and the change
-- feed's sequence. Transactional: a rolled-back number is handed out again.
CREATE TABLE counters (
	organization_id uuid NOT NULL,
	series text COLLATE "C" NOT NULL,
	value bigint NOT NULL,
	PRIMARY KEY (organization_id, series)
);
SELECT opsengine_protect('counters');

CREATE TABLE idempotency_records (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	procedure text COLLATE "C",
	expires_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX idempotency_records_expires_at ON idempotency_records (organization_id, expires_at, id);
SELECT opsengine_protect('idempotency_records');

CREATE TABLE audit_events (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	entity text COLLATE "C",
	entity_id text COLLATE "C",
	workflow_id text COLLATE "C",
	at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX audit_events_entity ON audit_events (organization_id, entity, entity_id, at, id);
CREATE INDEX audit_events_workflow_id ON audit_events (organization_id, workflow_id, id);
CREATE INDEX audit_events_at ON audit_events (organization_id, at, id);
SELECT opsengine_protect('audit_events');

CREATE TABLE changes (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	seq text COLLATE "C",
	entity text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX changes_seq ON changes (organization_id, seq);
CREATE INDEX changes_entity ON changes (organization_id, entity, seq);
SELECT opsengine_protect('changes');

-- The platform's list of tenants (rows of the platform organization).
CREATE TABLE tenants (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	type text COLLATE "C",
	name text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX tenants_name ON tenants (organization_id, name, id);
CREATE INDEX tenants_type ON tenants (organization_id, type, id);
SELECT opsengine_protect('tenants');

CREATE TABLE organizations (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	type text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	CHECK (id = organization_id::text)
);
SELECT opsengine_protect('organizations');

CREATE TABLE customers (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	name text COLLATE "C",
	email text COLLATE "C",
	active text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX customers_name ON customers (organization_id, name, id);
CREATE INDEX customers_email ON customers (organization_id, email, id);
SELECT opsengine_protect('customers');

CREATE TABLE service_locations (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	customer_id text COLLATE "C",
	association_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
ALTER TABLE service_locations ADD FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id);
CREATE INDEX service_locations_customer_id ON service_locations (organization_id, customer_id, id);
CREATE INDEX service_locations_association_id ON service_locations (organization_id, association_id, id);
SELECT opsengine_protect('service_locations');
