-- 0007: inventory — items, locations, suppliers, reorder policies, the stock
-- ledger and its balance snapshots, parts reservations, transfers, purchase
-- orders and cycle counts.

CREATE TABLE inventory_items (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	sku text COLLATE "C",
	name text COLLATE "C",
	category text COLLATE "C",
	active text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX inventory_items_sku ON inventory_items (organization_id, sku);
CREATE INDEX inventory_items_name ON inventory_items (organization_id, name, id);
CREATE INDEX inventory_items_category ON inventory_items (organization_id, category, sku, id);
SELECT opsengine_protect('inventory_items');

CREATE TABLE inventory_suppliers (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	code text COLLATE "C",
	active text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX inventory_suppliers_code ON inventory_suppliers (organization_id, code);
SELECT opsengine_protect('inventory_suppliers');

CREATE TABLE inventory_locations (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	code text COLLATE "C",
	type text COLLATE "C",
	technician_id text COLLATE "C",
	replenish_from_id text COLLATE "C",
	active text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, technician_id) REFERENCES technicians (organization_id, id),
	FOREIGN KEY (organization_id, replenish_from_id) REFERENCES inventory_locations (organization_id, id)
);
CREATE UNIQUE INDEX inventory_locations_code ON inventory_locations (organization_id, code);
-- A technician drives one truck.
CREATE UNIQUE INDEX inventory_locations_technician_id ON inventory_locations (organization_id, technician_id);
CREATE INDEX inventory_locations_type ON inventory_locations (organization_id, type, code, id);
CREATE INDEX inventory_locations_replenish_from_id ON inventory_locations (organization_id, replenish_from_id, id);
SELECT opsengine_protect('inventory_locations');

-- One policy per item×location; its id is made of the pair.
CREATE TABLE inventory_policies (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	item_id text COLLATE "C",
	location_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, item_id) REFERENCES inventory_items (organization_id, id),
	FOREIGN KEY (organization_id, location_id) REFERENCES inventory_locations (organization_id, id)
);
CREATE UNIQUE INDEX inventory_policies_item_location ON inventory_policies (organization_id, item_id, location_id);
CREATE INDEX inventory_policies_location_id ON inventory_policies (organization_id, location_id, id);
SELECT opsengine_protect('inventory_policies');

-- The ledger: rows are only ever inserted. n numbers the movements of one
-- item×location from 1 without gaps (the unique index makes two writers of
-- one position impossible); replaying them in that order gives the balance.
CREATE TABLE inventory_movements (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	item_id text COLLATE "C",
	location_id text COLLATE "C",
	n text COLLATE "C",
	job_id text COLLATE "C",
	document_id text COLLATE "C",
	at text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, item_id) REFERENCES inventory_items (organization_id, id),
	FOREIGN KEY (organization_id, location_id) REFERENCES inventory_locations (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id)
);
CREATE UNIQUE INDEX inventory_movements_item_location_n ON inventory_movements (organization_id, item_id, location_id, n);
CREATE INDEX inventory_movements_location_id ON inventory_movements (organization_id, location_id, at, id);
CREATE INDEX inventory_movements_item_id ON inventory_movements (organization_id, item_id, at, id);
CREATE INDEX inventory_movements_job_id ON inventory_movements (organization_id, job_id, at, id) WHERE job_id IS NOT NULL;
CREATE INDEX inventory_movements_document_id ON inventory_movements (organization_id, document_id, at, id) WHERE document_id IS NOT NULL;
CREATE INDEX inventory_movements_at ON inventory_movements (organization_id, at, id);
SELECT opsengine_protect('inventory_movements');

-- The balance of each item×location folded from its movements, written in
-- the transaction that appends them (inventory/v1/verifyLedger replays the
-- ledger and compares).
CREATE TABLE inventory_balances (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	item_id text COLLATE "C",
	location_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, item_id) REFERENCES inventory_items (organization_id, id),
	FOREIGN KEY (organization_id, location_id) REFERENCES inventory_locations (organization_id, id)
);
CREATE UNIQUE INDEX inventory_balances_item_location ON inventory_balances (organization_id, item_id, location_id);
CREATE INDEX inventory_balances_location_id ON inventory_balances (organization_id, location_id, item_id);
SELECT opsengine_protect('inventory_balances');

-- One parts reservation per job (its id is the job's). open is set while it
-- holds stock; location_id is the truck, backup_location_id the warehouse
-- when it holds stock there too.
CREATE TABLE inventory_reservations (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	job_id text COLLATE "C",
	status text COLLATE "C",
	location_id text COLLATE "C",
	backup_location_id text COLLATE "C",
	open text COLLATE "C",
	overridden text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id)
);
CREATE INDEX inventory_reservations_job_id ON inventory_reservations (organization_id, job_id, id);
CREATE INDEX inventory_reservations_status ON inventory_reservations (organization_id, status, id);
CREATE INDEX inventory_reservations_location_id ON inventory_reservations (organization_id, location_id, id) WHERE open IS NOT NULL;
CREATE INDEX inventory_reservations_backup_location_id ON inventory_reservations (organization_id, backup_location_id, id) WHERE open IS NOT NULL;
CREATE INDEX inventory_reservations_open ON inventory_reservations (organization_id, open, overridden, id) WHERE open IS NOT NULL;
SELECT opsengine_protect('inventory_reservations');

-- Transfers. open is set while PENDING or IN_TRANSIT; plan_key while a
-- pending transfer is the replenishment plan's proposal under that key (one
-- at a time).
CREATE TABLE inventory_transfers (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	status text COLLATE "C",
	from_location_id text COLLATE "C",
	to_location_id text COLLATE "C",
	open text COLLATE "C",
	plan_key text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, from_location_id) REFERENCES inventory_locations (organization_id, id),
	FOREIGN KEY (organization_id, to_location_id) REFERENCES inventory_locations (organization_id, id)
);
CREATE UNIQUE INDEX inventory_transfers_number ON inventory_transfers (organization_id, number);
CREATE UNIQUE INDEX inventory_transfers_plan_key ON inventory_transfers (organization_id, plan_key);
CREATE INDEX inventory_transfers_status ON inventory_transfers (organization_id, status, number, id);
CREATE INDEX inventory_transfers_from_location_id ON inventory_transfers (organization_id, from_location_id, number, id);
CREATE INDEX inventory_transfers_to_location_id ON inventory_transfers (organization_id, to_location_id, number, id);
CREATE INDEX inventory_transfers_open ON inventory_transfers (organization_id, open, id) WHERE open IS NOT NULL;
SELECT opsengine_protect('inventory_transfers');

-- Purchase orders. open is set until RECEIVED or CANCELLED (drafts are on
-- order); plan_key while a draft is the replenishment plan's proposal.
CREATE TABLE inventory_purchase_orders (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	status text COLLATE "C",
	supplier_id text COLLATE "C",
	location_id text COLLATE "C",
	open text COLLATE "C",
	plan_key text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, supplier_id) REFERENCES inventory_suppliers (organization_id, id),
	FOREIGN KEY (organization_id, location_id) REFERENCES inventory_locations (organization_id, id)
);
CREATE UNIQUE INDEX inventory_purchase_orders_number ON inventory_purchase_orders (organization_id, number);
CREATE UNIQUE INDEX inventory_purchase_orders_plan_key ON inventory_purchase_orders (organization_id, plan_key);
CREATE INDEX inventory_purchase_orders_status ON inventory_purchase_orders (organization_id, status, number, id);
CREATE INDEX inventory_purchase_orders_supplier_id ON inventory_purchase_orders (organization_id, supplier_id, number, id);
CREATE INDEX inventory_purchase_orders_location_id ON inventory_purchase_orders (organization_id, location_id, number, id);
CREATE INDEX inventory_purchase_orders_open ON inventory_purchase_orders (organization_id, open, id) WHERE open IS NOT NULL;
SELECT opsengine_protect('inventory_purchase_orders');

CREATE TABLE inventory_counts (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	number text COLLATE "C",
	status text COLLATE "C",
	location_id text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id),
	FOREIGN KEY (organization_id, location_id) REFERENCES inventory_locations (organization_id, id)
);
CREATE UNIQUE INDEX inventory_counts_number ON inventory_counts (organization_id, number);
CREATE INDEX inventory_counts_status ON inventory_counts (organization_id, status, number, id);
CREATE INDEX inventory_counts_location_id ON inventory_counts (organization_id, location_id, number, id);
SELECT opsengine_protect('inventory_counts');
