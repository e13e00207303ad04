DROP TABLE IF EXISTS service_locations, customers, organizations, tenants, changes, audit_events, idempotency_records, counters;
DROP FUNCTION IF EXISTS opsengine_protect(regclass);
