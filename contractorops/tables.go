package contractorops

import (
	"fmt"
	"regexp"
	"time"
)

// currencyPattern matches an ISO 4217 alphabetic code.
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// TableSpec describes one table of the store: its name, the keys that are
// indexed and queryable, and the sets of keys that are unique within an
// organization. pgstore's migrations create exactly these tables and columns
// (its tests check it); memstore enforces the unique keys.
type TableSpec struct {
	Name   string
	Keys   []string
	Unique [][]string
}

// Tables returns the specification of every table the engine uses, in
// migration order.
func Tables() []TableSpec {
	return []TableSpec{
		idempotencyTable.spec,
		auditTable.spec,
		changesTable.spec,
		tenantsTable.spec,
		organizationsTable.spec,
		customersTable.spec,
		serviceLocationsTable.spec,
		settingsTable.spec,
		jobsTable.spec,
		visitsTable.spec,
		eventsTable.spec,
		branchesTable.spec,
		tradesTable.spec,
		licensesTable.spec,
		insuranceTable.spec,
		serviceAreasTable.spec,
		complianceTable.spec,
		techniciansTable.spec,
		timeOffTable.spec,
		assignmentsTable.spec,
		apiKeysTable.spec,
		apiKeyIndexTable.spec,
		billingSettingsTable.spec,
		pricebooksTable.spec,
		versionsTable.spec,
		estimatesTable.spec,
		invoicesTable.spec,
		creditMemosTable.spec,
		receiptsTable.spec,
		creditAccountsTable.spec,
		timeEntriesTable.spec,
		stockItemsTable.spec,
		stockLocationsTable.spec,
		suppliersTable.spec,
		policiesTable.spec,
		stockMovementsTable.spec,
		stockBalancesTable.spec,
		reservationsTable.spec,
		transfersTable.spec,
		purchaseOrdersTable.spec,
		countsTable.spec,
		contractsTable.spec,
		schedulesTable.spec,
		scheduledVisitsTable.spec,
		slaRecordsTable.spec,
		camDeliveryTable.spec,
		agentNoticesTable.spec,
		agentRunsTable.spec,
		agentSettingsTable.spec,
	}
}

// TableByName returns the specification of the table named name.
func TableByName(name string) (TableSpec, bool) {
	for _, s := range Tables() {
		if s.Name == name {
			return s, true
		}
	}
	return TableSpec{}, false
}

// timeKey formats t as a key: fixed-width UTC, so that key order is time order.
func timeKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// seqKey formats a sequence number as a key: zero-padded, so that key order is
// number order.
func seqKey(n int64) string { return fmt.Sprintf("%020d", n) }

// keys builds a key map, leaving out empty values (absent keys never match a
// condition).
func keys(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

var auditTable = table[AuditEvent]{
	spec: TableSpec{Name: "audit_events", Keys: []string{"entity", "entity_id", "workflow_id", "at"}},
	keys: func(e *AuditEvent) map[string]string {
		return keys("entity", e.Entity, "entity_id", e.EntityID, "workflow_id", e.WorkflowID, "at", timeKey(e.At))
	},
	untracked: true,
}

var changesTable = table[Change]{
	spec:      TableSpec{Name: "changes", Keys: []string{"seq", "entity"}, Unique: [][]string{{"seq"}}},
	keys:      func(c *Change) map[string]string { return keys("seq", seqKey(c.Seq), "entity", c.Entity) },
	untracked: true,
}
