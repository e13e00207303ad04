-- 0006: billing — settings, pricebooks and their versions, estimates,
-- invoices, credit memos, receipts, customer credit accounts and time entries.

CREATE TABLE billing_settings (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
SELECT opsengine_protect('billing_settings');

CREATE TABLE pricebooks (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	name text COLLATE "C",
	is_default text COLLATE "C",
	roll_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX pricebooks_name ON pricebooks (organization_id, name, id);
CREATE INDEX pricebooks_is_default ON pricebooks (organization_id, is_default, id);
CREATE INDEX pricebooks_roll_at ON pricebooks (organization_id, roll_at, id) WHERE roll_at IS NOT NULL;
SELECT opsengine_protect('pricebooks');

CREATE TABLE pricebook_versions (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	pricebook_id text COLLATE "C",
	status text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, pricebook_id) REFERENCES pricebooks (organization_id, id)
);
CREATE INDEX pricebook_versions_pricebook_id ON pricebook_versions (organization_id, pricebook_id, status, id);
SELECT opsengine_protect('pricebook_versions');

CREATE TABLE estimates (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	revision text COLLATE "C",
	job_id text COLLATE "C",
	customer_id text COLLATE "C",
	status text COLLATE "C",
	expires_at text COLLATE "C",
	created_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id),
	FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE UNIQUE INDEX estimates_number ON estimates (organization_id, number, revision);
CREATE INDEX estimates_job_id ON estimates (organization_id, job_id, id);
CREATE INDEX estimates_customer_id ON estimates (organization_id, customer_id, id);
CREATE INDEX estimates_status ON estimates (organization_id, status, id);
CREATE INDEX estimates_expires_at ON estimates (organization_id, expires_at, id) WHERE expires_at IS NOT NULL;
CREATE INDEX estimates_created_at ON estimates (organization_id, created_at, id);
SELECT opsengine_protect('estimates');

CREATE TABLE invoices (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	job_id text COLLATE "C",
	customer_id text COLLATE "C",
	estimate_id text COLLATE "C",
	status text COLLATE "C",
	overdue_at text COLLATE "C",
	created_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id),
	FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
	FOREIGN KEY (organization_id, estimate_id) REFERENCES estimates (organization_id, id)
);
CREATE UNIQUE INDEX invoices_number ON invoices (organization_id, number);
CREATE INDEX invoices_job_id ON invoices (organization_id, job_id, id);
CREATE INDEX invoices_customer_id ON invoices (organization_id, customer_id, id);
CREATE INDEX invoices_estimate_id ON invoices (organization_id, estimate_id, id);
CREATE INDEX invoices_status ON invoices (organization_id, status, id);
CREATE INDEX invoices_overdue_at ON invoices (organization_id, overdue_at, id) WHERE overdue_at IS NOT NULL;
CREATE INDEX invoices_created_at ON invoices (organization_id, created_at, id);
SELECT opsengine_protect('invoices');

CREATE TABLE credit_memos (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	invoice_id text COLLATE "C",
	job_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id)
);
CREATE UNIQUE INDEX credit_memos_number ON credit_memos (organization_id, number);
CREATE INDEX credit_memos_invoice_id ON credit_memos (organization_id, invoice_id, number);
CREATE INDEX credit_memos_job_id ON credit_memos (organization_id, job_id, id);
SELECT opsengine_protect('credit_memos');

CREATE TABLE receipts (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	job_id text COLLATE "C",
	invoice_id text COLLATE "C",
	estimate_id text COLLATE "C",
	received_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id),
	FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id),
	FOREIGN KEY (organization_id, estimate_id) REFERENCES estimates (organization_id, id)
);
CREATE UNIQUE INDEX receipts_number ON receipts (organization_id, number);
CREATE INDEX receipts_job_id ON receipts (organization_id, job_id, received_at, id);
CREATE INDEX receipts_invoice_id ON receipts (organization_id, invoice_id, received_at, id);
CREATE INDEX receipts_estimate_id ON receipts (organization_id, estimate_id, received_at, id);
SELECT opsengine_protect('receipts');

CREATE TABLE credit_accounts (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
SELECT opsengine_protect('credit_accounts');

CREATE TABLE time_entries (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	job_id text COLLATE "C",
	technician_id text COLLATE "C",
	running text COLLATE "C",
	invoice_id text COLLATE "C",
	started_at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id),
	FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id)
);
CREATE INDEX time_entries_job_id ON time_entries (organization_id, job_id, started_at, id);
CREATE INDEX time_entries_technician_id ON time_entries (organization_id, technician_id, running, id);
CREATE INDEX time_entries_invoice_id ON time_entries (organization_id, invoice_id, id) WHERE invoice_id IS NOT NULL;
SELECT opsengine_protect('time_entries');
