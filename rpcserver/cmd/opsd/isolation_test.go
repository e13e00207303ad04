package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/rpcserver"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// obj is a JSON object written inline.
type obj = map[string]any

// rpcResult is one raw RPC exchange: the status, the bytes and the
// envelope's outline.
type rpcResult struct {
	status int
	body   []byte
	ok     bool
	code   string
	data   json.RawMessage
}

// rawRPC posts body to a procedure with an API key and an idempotency key
// (queries ignore it) and returns what came back. A transport error fails
// the test.
func rawRPC(t testing.TB, base, apiKey, proc string, body []byte) rpcResult {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+rpcserver.RPCPrefix+proc, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Idempotency-Key", client.NewIdempotencyKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", proc, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", proc, err)
	}
	var env rpcserver.Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s: HTTP %d without an envelope: %.300q", proc, resp.StatusCode, raw)
	}
	r := rpcResult{status: resp.StatusCode, body: raw, ok: env.OK, data: env.Data}
	if env.Error != nil {
		r.code = string(env.Error.Code)
	}
	return r
}

// idPool holds the ids an organization was given, by kind: the lower-case
// name of the input field that takes them ("customerid", "jobid").
type idPool map[string][]string

func (p idPool) add(kind, id string) {
	kind = strings.ToLower(kind)
	if id == "" || slices.Contains(p[kind], id) {
		return
	}
	p[kind] = append(p[kind], id)
}

func (p idPool) clone() idPool {
	q := idPool{}
	for k, v := range p {
		q[k] = slices.Clone(v)
	}
	return q
}

// tenant is an organization populated through the API: what it sent (the
// inputs that succeeded, by procedure) and every id it was given.
type tenant struct {
	t      *testing.T
	base   string
	key    string // an OWNER key
	org    string
	inputs map[string][][]byte
	pool   idPool
}

func newTenant(t *testing.T, base, org, key string) *tenant {
	tn := &tenant{t: t, base: base, key: key, org: org, inputs: map[string][][]byte{}, pool: idPool{}}
	tn.pool.add("organizationid", org)
	return tn
}

// do calls proc as the tenant's owner (or with key, when given), fails the
// test on an error, records the input and harvests the ids of the output.
func (tn *tenant) do(proc string, in obj, key ...string) obj {
	tn.t.Helper()
	k := tn.key
	if len(key) > 0 {
		k = key[0]
	}
	body, err := json.Marshal(in)
	if err != nil {
		tn.t.Fatal(err)
	}
	r := rawRPC(tn.t, tn.base, k, proc, body)
	if !r.ok {
		tn.t.Fatalf("populate: %s %s: HTTP %d %s", proc, body, r.status, r.body)
	}
	tn.inputs[proc] = append(tn.inputs[proc], body)
	var out any
	if err := json.Unmarshal(r.data, &out); err != nil {
		tn.t.Fatalf("%s: %v", proc, err)
	}
	harvest(tn.pool, nounOf(proc), out, 0)
	m, _ := out.(obj)
	return m
}

// with returns a copy of a with the fields of b added.
func with(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// str returns the string at a path of a JSON object.
func str(v any, path ...string) string {
	for _, p := range path {
		m, _ := v.(obj)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// nounOf returns the kind of thing a procedure is about: the noun of its
// method ("createPurchaseOrder" → "purchaseOrder", "getVersion" →
// "version"), or its namespace when the method is a bare verb ("job/v1/get"
// → "job").
func nounOf(proc string) string {
	parts := strings.Split(proc, "/")
	m := parts[2]
	i := strings.IndexFunc(m, unicode.IsUpper)
	if i < 0 {
		return parts[0]
	}
	return strings.ToLower(m[i:i+1]) + m[i+1:]
}

// singular turns the name of a list field into the kind of its elements.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "s"):
		return s[:len(s)-1]
	}
	return s
}

// harvest walks a JSON value and adds every id it holds to the pool: an
// object's "id" under the object's kind (the procedure's noun at the top,
// the singular of the field name below), and every "…Id" and "…Ids" field
// under its own name.
func harvest(p idPool, kind string, v any, depth int) {
	switch v := v.(type) {
	case obj:
		if id, ok := v["id"].(string); ok {
			p.add(kind+"id", id)
		}
		for k, val := range v {
			switch x := val.(type) {
			case string:
				if strings.HasSuffix(k, "Id") {
					p.add(k, x)
				}
			case []any:
				if strings.HasSuffix(k, "Ids") {
					for _, e := range x {
						if s, ok := e.(string); ok {
							p.add(strings.TrimSuffix(k, "s"), s)
						}
					}
					continue
				}
				child := singular(k)
				if k == "items" && depth == 0 {
					child = kind // a page of the procedure's things
				}
				harvest(p, child, x, depth+1)
			case obj:
				harvest(p, k, x, depth+1)
			}
		}
	case []any:
		for _, e := range v {
			harvest(p, kind, e, depth)
		}
	}
}

// swapIDs replaces in b every id of from by the id of the same kind and
// rank in to.
func swapIDs(b []byte, from, to idPool) []byte {
	for kind, ids := range from {
		for i, id := range ids {
			if i < len(to[kind]) && len(id) >= 16 {
				b = bytes.ReplaceAll(b, []byte(id), []byte(to[kind][i]))
			}
		}
	}
	return b
}

// idCandidates returns the pool kinds that may fill an input field of a
// procedure, best first.
func idCandidates(proc, field string) []string {
	if field == "id" {
		noun := nounOf(proc)
		out := []string{strings.ToLower(noun) + "id"}
		if alias, ok := idAliases[noun]; ok {
			out = append(out, alias+"id")
		}
		return append(out, strings.Split(proc, "/")[0]+"id")
	}
	field = strings.TrimSuffix(field, "s") // "itemIds" → "itemId"
	var out []string
	for i, r := range field {
		if i == 0 || unicode.IsUpper(r) {
			out = append(out, strings.ToLower(field[i:]))
		}
	}
	return out
}

// idAliases name the kind of the id of a procedure whose noun is not the
// name its things are harvested under: a purchase order comes back as
// "order", and its lines are changed through the order's id.
var idAliases = map[string]string{"purchaseOrder": "order", "orderLine": "order"}

// notRefs are input fields whose names end in "Id" but that refer to
// nothing stored: an organization's tax number.
var notRefs = []string{"taxId"}

// isIDField reports whether a JSON field name takes ids.
func isIDField(name string) bool {
	if slices.Contains(notRefs, name) {
		return false
	}
	return name == "id" || strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "Ids")
}

// opaqueRefs are the procedures that may store an id of A given by B,
// because the field names something the engine does not look up, and why.
// What B stores this way is B's own data afterwards, and is not looked for
// in B's later answers.
var opaqueRefs = map[string]string{
	"apikey/v1/create": "a key's actor id is the name its holder is known by, checked against nothing (a technician's key may be made before the technician)",
}

// attackGen builds attack inputs from the OpenAPI document: every id field
// of a procedure's input (nested ones too) filled from a pool.
type attackGen struct {
	doc map[string]any
}

func (g *attackGen) resolve(s any) obj {
	m, _ := s.(obj)
	for i := 0; i < 10 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m, _ = resolvePointer(g.doc, ref).(obj)
	}
	return m
}

func resolvePointer(doc map[string]any, ref string) any {
	var v any = doc
	for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[seg]
	}
	return v
}

// fillResult says what filling an input did.
type fillResult struct {
	fields   int      // id fields found
	filled   int      // id fields given one of the pool's ids
	unmapped []string // id fields no kind of the pool matched
}

// build returns the input for schema with every id field filled from the
// pool (nil when the schema has no id field). Fields are counted in res.
func (g *attackGen) build(proc string, schema any, pool idPool, res *fillResult, depth int) any {
	s := g.resolve(schema)
	if s == nil || depth > 6 {
		return nil
	}
	switch s["type"] {
	case "object":
		props, _ := s["properties"].(obj)
		out := obj{}
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ps := g.resolve(props[name])
			if ps == nil {
				continue
			}
			if isIDField(name) && (ps["type"] == "string" || ps["type"] == "array") {
				res.fields++
				id, ok := pick(pool, proc, name)
				if !ok {
					res.unmapped = append(res.unmapped, name)
					continue
				}
				res.filled++
				if ps["type"] == "array" {
					out[name] = []any{id}
				} else {
					out[name] = id
				}
				continue
			}
			if v := g.build(proc, ps, pool, res, depth+1); v != nil {
				out[name] = v
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case "array":
		if v := g.build(proc, s["items"], pool, res, depth+1); v != nil {
			return []any{v}
		}
	}
	return nil
}

func pick(pool idPool, proc, field string) (string, bool) {
	for _, k := range idCandidates(proc, field) {
		if ids := pool[k]; len(ids) > 0 {
			return ids[0], true
		}
	}
	return "", false
}

// operation is one procedure of the served OpenAPI document.
type operation struct {
	proc     string
	mutation bool
	roles    []string
	input    any // the request body's schema
}

func operations(t *testing.T, base string) (*attackGen, []operation) {
	t.Helper()
	resp, err := http.Get(base + rpcserver.OpenAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var ops []operation
	for path, item := range doc["paths"].(obj) {
		post := item.(obj)["post"].(obj)
		op := operation{proc: strings.TrimPrefix(path, rpcserver.RPCPrefix), mutation: post["x-opsengine-kind"] == "mutation"}
		for _, r := range post["x-opsengine-roles"].([]any) {
			op.roles = append(op.roles, r.(string))
		}
		if rb, ok := post["requestBody"].(obj); ok {
			op.input = rb["content"].(obj)["application/json"].(obj)["schema"]
		}
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].proc < ops[j].proc })
	if len(ops) == 0 {
		t.Fatal("the OpenAPI document has no procedures")
	}
	return &attackGen{doc: doc}, ops
}

// secretIDs returns the ids worth looking for in a response: those long
// enough not to occur by chance (pricebook item ids such as "repair" are
// chosen by the caller and may well be the same in two organizations).
func secretIDs(p idPool) []string {
	var out []string
	for _, ids := range p {
		for _, id := range ids {
			if len(id) >= 16 && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	sort.Strings(out)
	return out
}

func containsAny(b []byte, ids []string) string {
	for _, id := range ids {
		if bytes.Contains(b, []byte(id)) {
			return id
		}
	}
	return ""
}

// populate gives organization a through the API something of every kind:
// compliance documents, a branch, a service area, two technicians with
// their own keys, a pricebook, a customer with a location, two jobs
// estimated and dispatched (one to each technician, the first worked,
// invoiced and paid), notes and checkpoints, time entries, inventory (items,
// a warehouse, a truck, a supplier, stock received, a transfer, a purchase
// order, a count, a reorder policy, a job reservation) and a maintenance
// contract with a schedule and visits.
type population struct {
	*tenant
	tech1, tech2       string // technician ids
	tech1Key, tech2Key string // their API keys
	job1, job2         string
	firstJob           idPool // the ids of the first technician's job and what hangs on it
	secondJob          idPool // the same of the second technician's job
}

func populate(t *testing.T, a *tenant) *population {
	t.Helper()
	p := &population{tenant: a, secondJob: idPool{}}
	now := time.Now().UTC()
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	a.do("organization/v1/updateProfile", obj{"name": "Tenant A Plumbing", "timeZone": "America/Chicago"})
	a.do("billing/v1/updateSettings", obj{"defaultTaxZoneId": "cook", "taxZones": []obj{{"id": "cook", "name": "Cook County",
		"rates": []obj{{"id": "il", "name": "Illinois", "rate": "6.25", "classes": []string{"MATERIAL"}}}}}})
	lic := a.do("contractor/v1/addLicense", obj{"type": "Master Plumber", "number": "MP-1", "issuingAuthority": "State Board", "trade": "PLUMBING", "status": "ACTIVE"})
	ins := a.do("contractor/v1/addInsurance", obj{"type": "GENERAL_LIABILITY", "carrier": "Travelers", "policyNumber": "GL-1", "coverageAmount": "1000000",
		"effectiveAt": now.AddDate(-1, 0, 0), "expiresAt": now.AddDate(1, 0, 0), "status": "ACTIVE"})
	a.do("contractor/v1/setTrade", obj{"trade": "PLUMBING", "primary": true})
	branch := a.do("contractor/v1/createBranch", obj{"name": "North", "code": "N", "timeZone": "America/Chicago", "address": obj{"line1": "2 Main St", "city": "Chicago", "state": "IL", "postalCode": "60601"}})
	area := a.do("contractor/v1/createServiceArea", obj{"name": "Loop", "center": obj{"lat": 41.88, "lng": -87.63}, "radiusMiles": 20})

	allDay := []obj{{"start": "00:00", "end": "12:00"}, {"start": "12:00", "end": "00:00"}}
	week := obj{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		week[d] = allDay
	}
	tech := func(first string) (id, key string) {
		tc := a.do("technician/v1/create", obj{"firstName": first, "lastName": "Plumber", "home": obj{"city": "Chicago", "lat": 41.88, "lng": -87.63}})
		id = str(tc, "id")
		a.do("technician/v1/upsertSkill", obj{"technicianId": id, "trade": "PLUMBING", "level": 4})
		a.do("technician/v1/setAvailability", obj{"technicianId": id, "availability": week})
		a.do("technician/v1/upsertCertification", obj{"technicianId": id, "name": "Backflow", "number": "BF-" + first, "authority": "City",
			"issuedAt": now.AddDate(-1, 0, 0), "expiresAt": now.AddDate(1, 0, 0)})
		a.do("technician/v1/addTimeOff", obj{"technicianId": id, "startsAt": now.AddDate(0, 1, 0), "endsAt": now.AddDate(0, 1, 1), "reason": "Vacation"})
		nk := a.do("apikey/v1/create", obj{"name": first + "'s phone", "role": "TECHNICIAN", "actor": obj{"kind": "technician", "id": id}})
		return id, str(nk, "key")
	}
	p.tech1, p.tech1Key = tech("Pat")
	p.tech2, p.tech2Key = tech("Quinn")

	pb := a.do("pricebook/v1/create", obj{"name": "Residential"})
	v := a.do("pricebook/v1/createVersion", obj{"pricebookId": str(pb, "id"), "effectiveFrom": now.AddDate(0, 0, -1),
		"items": []obj{
			{"id": "repair", "code": "LEAK", "name": "Leak repair", "type": "SERVICE", "price": obj{"amount": "240.00", "currency": "USD"}, "cost": obj{"amount": "90.00", "currency": "USD"}},
			{"id": "valve", "code": "VALVE", "name": "Shut-off valve", "type": "MATERIAL", "price": obj{"amount": "35.00", "currency": "USD"}, "cost": obj{"amount": "12.00", "currency": "USD"}},
		},
		"templates": []obj{{"id": "leak", "name": "Repair a leak", "trade": "PLUMBING", "lines": []obj{{"itemId": "repair"}, {"itemId": "valve"}}}},
	})
	a.do("pricebook/v1/publishVersion", obj{"versionId": str(v, "id")})
	a.do("pricebook/v1/activateVersion", obj{"versionId": str(v, "id")})

	cu := a.do("customer/v1/create", obj{"name": "Grace Hopper", "email": "grace@example.com", "billingAddress": obj{"line1": "1 Navy Way", "city": "Chicago", "state": "IL"}})
	loc := a.do("customer/v1/addLocation", obj{"customerId": str(cu, "id"), "name": "Home", "address": obj{"line1": "1 Navy Way", "city": "Chicago", "lat": 41.9, "lng": -87.65}})

	job := func(title string, techID string, techKey string, hours int) (jobID string, ids idPool) {
		ids = idPool{}
		j := a.do("job/v1/create", obj{"title": title, "trade": "PLUMBING", "priority": "LOW", "customerId": str(cu, "id"), "locationId": str(loc, "id"),
			"estimatedMinutes": 60, "location": obj{"line1": "1 Navy Way", "city": "Chicago", "lat": 41.9, "lng": -87.65}})
		jobID = str(j, "id")
		ids.add("jobid", jobID)
		est := a.do("estimate/v1/generate", obj{"jobId": jobID, "scopeOfWork": "Repair the leak.", "templateIds": []string{"leak"}})
		ids.add("estimateid", str(est, "id"))
		opts, _ := est["document"].(obj)["options"].([]any)
		a.do("estimate/v1/send", obj{"id": str(est, "id")})
		a.do("estimate/v1/accept", obj{"estimateId": str(est, "id"), "optionId": str(opts[0], "id")})
		asg := a.do("dispatch/v1/assignTech", obj{"jobId": jobID, "technicianId": techID, "start": now.Add(time.Duration(hours) * time.Hour).Truncate(time.Minute)})
		ids.add("visitid", str(asg, "visit", "id"))
		ids.add("assignmentid", str(asg, "assignment", "id"))
		ids.add("technicianid", techID)
		a.do("job/v1/addNote", obj{"jobId": jobID, "body": "Gate code 1234", "internal": true})
		cj := a.do("job/v1/addCheckpoint", obj{"jobId": jobID, "name": "Photo of the leak", "required": true, "type": "QA_INSPECTION"})
		cps, _ := cj["checkpoints"].([]any)
		ids.add("checkpointid", str(cps[0], "id"))
		te := a.do("timeentry/v1/record", obj{"jobId": jobID, "technicianId": techID, "visitId": str(asg, "visit", "id"),
			"start": now.Add(-2 * time.Hour).Truncate(time.Minute), "end": now.Add(-time.Hour).Truncate(time.Minute), "type": "TRAVEL"})
		ids.add("timeentryid", str(te, "id"))
		return jobID, ids
	}
	p.job1, p.firstJob = job("Leak under the kitchen sink", p.tech1, p.tech1Key, 1)
	first := p.firstJob
	p.job2, p.secondJob = job("Dripping tap", p.tech2, p.tech2Key, 3)

	// The first technician works their job from their own key; the office
	// invoices it and collects.
	for _, to := range []string{"ACCEPTED", "EN_ROUTE", "ON_SITE", "COMPLETED"} {
		a.do("dispatch/v1/updateStatus", obj{"assignmentId": first["assignmentid"][0], "status": to}, p.tech1Key)
	}
	a.do("job/v1/completeCheckpoint", obj{"jobId": p.job1, "checkpointId": first["checkpointid"][0], "passed": true}, p.tech1Key)
	a.do("job/v1/updateStatus", obj{"id": p.job1, "status": "COMPLETED"})
	inv := a.do("invoice/v1/createFromEstimate", obj{"estimateId": first["estimateid"][0], "send": true})
	a.do("invoice/v1/collectPayment", obj{"invoiceId": str(inv, "id"), "method": "CHECK", "reference": "1001", "amount": "100.00"})

	// Inventory.
	item := a.do("inventory/v1/createItem", obj{"sku": "VALVE-1", "name": "Shut-off valve", "unitOfMeasure": "EACH", "unitCost": "12.00"})
	wh := a.do("inventory/v1/createLocation", obj{"code": "WH", "name": "Warehouse", "type": "WAREHOUSE", "branchId": str(branch, "id")})
	truck := a.do("inventory/v1/createLocation", obj{"code": "TRK-2", "name": "Quinn's van", "type": "TRUCK", "technicianId": p.tech2, "replenishFromId": str(wh, "id")})
	sup := a.do("inventory/v1/createSupplier", obj{"code": "FERG", "name": "Ferguson", "items": []obj{{"itemId": str(item, "id"), "unitCost": "11.00", "supplierSku": "F-1"}}})
	a.do("inventory/v1/receive", obj{"locationId": str(wh, "id"), "reference": "opening", "lines": []obj{{"itemId": str(item, "id"), "quantity": "20", "unitCost": "12.00"}}})
	tr := a.do("inventory/v1/requestTransfer", obj{"fromLocationId": str(wh, "id"), "toLocationId": str(truck, "id"), "lines": []obj{{"itemId": str(item, "id"), "quantity": "5"}}})
	po := a.do("inventory/v1/createPurchaseOrder", obj{"supplierId": str(sup, "id"), "deliveryLocationId": str(wh, "id"), "lines": []obj{{"itemId": str(item, "id"), "quantity": "10", "unitCost": "11.00"}}})
	a.do("inventory/v1/startCount", obj{"locationId": str(wh, "id"), "itemIds": []string{str(item, "id")}})
	a.do("inventory/v1/setPolicy", obj{"itemId": str(item, "id"), "locationId": str(truck, "id"), "kind": "MIN_MAX", "min": "2", "max": "6"})

	// Maintenance.
	terms := obj{"name": "Annual care", "type": "PREVENTIVE_MAINTENANCE", "customerId": str(cu, "id"), "locationId": str(loc, "id"),
		"startDate": day(0), "endDate": day(364), "value": "1200.00", "billingFrequency": "MONTHLY", "billingAmount": "100.00",
		"scope": obj{"description": "Plumbing care"}, "primaryTechnicianId": p.tech2, "branchId": str(branch, "id")}
	ct := a.do("maintenance/v1/createContract", with(terms, obj{"serviceItems": []obj{{"name": "Inspection", "frequency": "QUARTERLY", "unitPrice": "300.00"}}}))
	items, _ := ct["serviceItems"].([]any)
	schedule := obj{"name": "Quarterly inspection", "frequency": "QUARTERLY", "startDate": day(1),
		"preferredDayOfMonth": 15, "technicianId": p.tech2, "serviceItemIds": []string{str(items[0], "id")}}
	sch := a.do("maintenance/v1/createSchedule", with(schedule, obj{"contractId": str(ct, "id")}))
	a.do("maintenance/v1/updateContractStatus", obj{"id": str(ct, "id"), "status": "ACTIVE"})
	a.do("maintenance/v1/generateVisits", obj{"contractId": str(ct, "id"), "through": day(200)})
	visits := a.do("maintenance/v1/listVisits", obj{"contractId": str(ct, "id")})
	mv, _ := visits["items"].([]any)

	// Changes and reads of what is there, so that B's attack has a valid
	// input for them too.
	a.do("contractor/v1/updateBranch", obj{"id": str(branch, "id"), "name": "North", "code": "N", "timeZone": "America/Chicago",
		"address": obj{"line1": "2 Main St", "city": "Chicago", "state": "IL", "postalCode": "60601"}})
	a.do("contractor/v1/updateLicense", obj{"id": str(lic, "id"), "type": "Master Plumber", "number": "MP-1", "issuingAuthority": "State Board", "trade": "PLUMBING", "status": "ACTIVE"})
	a.do("contractor/v1/updateInsurance", obj{"id": str(ins, "id"), "type": "GENERAL_LIABILITY", "carrier": "Travelers", "policyNumber": "GL-1", "coverageAmount": "2000000",
		"effectiveAt": now.AddDate(-1, 0, 0), "expiresAt": now.AddDate(1, 0, 0), "status": "ACTIVE"})
	a.do("contractor/v1/updateServiceArea", obj{"id": str(area, "id"), "name": "Loop", "center": obj{"lat": 41.88, "lng": -87.63}, "radiusMiles": 25})
	a.do("customer/v1/update", obj{"id": str(cu, "id"), "name": "Grace B. Hopper", "email": "grace@example.com"})
	a.do("technician/v1/kpis", obj{"technicianId": p.tech1, "from": now.AddDate(0, 0, -30), "to": now.Add(time.Hour)})
	a.do("dispatch/v1/board", obj{"date": day(0)})
	a.do("feed/v1/audit", obj{"entity": "jobs", "entityId": p.job1})
	a.do("job/v1/addAttachment", obj{"jobId": p.job2, "fileName": "leak.jpg", "mimeType": "image/jpeg", "url": "https://example.com/leak.jpg", "size": 1000})
	a.do("invoice/v1/listReceipts", obj{"invoiceId": str(inv, "id")})
	a.do("estimate/v1/collectDeposit", obj{"estimateId": p.secondJob["estimateid"][0], "amount": "50.00", "method": "CHECK", "reference": "D-1"})
	a.do("estimate/v1/refundDeposit", obj{"estimateId": p.secondJob["estimateid"][0], "depositId": a.pool["depositid"][0], "reason": "Paid twice"})
	a.do("inventory/v1/updateItem", obj{"id": str(item, "id"), "sku": "VALVE-1", "name": "Shut-off valve ½in", "unitOfMeasure": "EACH", "unitCost": "12.00"})
	a.do("inventory/v1/updateLocation", obj{"id": str(wh, "id"), "code": "WH", "name": "Main warehouse", "type": "WAREHOUSE", "branchId": str(branch, "id")})
	a.do("inventory/v1/updateSupplier", obj{"id": str(sup, "id"), "code": "FERG", "name": "Ferguson Supply", "items": []obj{{"itemId": str(item, "id"), "unitCost": "11.00", "supplierSku": "F-1"}}})
	a.do("inventory/v1/adjust", obj{"locationId": str(wh, "id"), "lines": []obj{{"itemId": str(item, "id"), "quantity": "-1", "reason": "DAMAGED"}}})
	a.do("inventory/v1/shipTransfer", obj{"id": str(tr, "transfer", "id")})
	a.do("inventory/v1/receiveTransfer", obj{"id": str(tr, "transfer", "id")}, p.tech2Key)
	poID := str(po, "order", "id")
	a.do("inventory/v1/addOrderLine", obj{"id": poID, "line": obj{"itemId": str(item, "id"), "quantity": "2", "unitCost": "11.00"}})
	a.do("inventory/v1/setOrderLine", obj{"id": poID, "line": 2, "quantity": "3", "unitCost": "11.00"})
	a.do("inventory/v1/removeOrderLine", obj{"id": poID, "line": 2})
	a.do("inventory/v1/submitOrder", obj{"id": poID})
	a.do("inventory/v1/confirmOrder", obj{"id": poID, "expectedAt": now.AddDate(0, 0, 3)})
	a.do("inventory/v1/receiveOrder", obj{"id": poID, "locationId": str(wh, "id"), "lines": []obj{{"line": 1, "quantity": "4"}}})
	a.do("inventory/v1/reserveJob", obj{"jobId": p.job2})
	a.do("inventory/v1/consume", obj{"jobId": p.job2, "visitId": p.secondJob["visitid"][0], "locationId": str(truck, "id"), "lines": []obj{{"itemId": str(item, "id"), "quantity": "2"}}}, p.tech2Key)
	a.do("inventory/v1/returnMaterials", obj{"jobId": p.job2, "visitId": p.secondJob["visitid"][0], "locationId": str(truck, "id"), "lines": []obj{{"itemId": str(item, "id"), "quantity": "1"}}}, p.tech2Key)
	te := a.do("timeentry/v1/start", obj{"jobId": p.job2, "technicianId": p.tech2, "type": "WORK"}, p.tech2Key)
	a.do("timeentry/v1/stop", obj{"id": str(te, "id")}, p.tech2Key)
	a.do("maintenance/v1/updateContract", with(terms, obj{"id": str(ct, "id"), "name": "Annual plumbing care"}))
	a.do("maintenance/v1/updateSchedule", with(schedule, obj{"id": str(sch, "id"), "name": "Quarterly plumbing inspection"}))
	a.do("maintenance/v1/addServiceItem", obj{"contractId": str(ct, "id"), "name": "Drain clean", "frequency": "ANNUAL", "unitPrice": "150.00"})
	a.do("maintenance/v1/rescheduleVisit", obj{"visitId": str(mv[0], "id"), "date": day(20), "reason": "Customer away"})
	a.do("maintenance/v1/cancelVisit", obj{"visitId": str(mv[1], "id"), "reason": "Customer asked", "reasonCode": "CUSTOMER_REQUEST"})
	a.do("maintenance/v1/scoreSLA", obj{"contractId": str(ct, "id"), "period": now.Format("2006-01")})
	a.do("technician/v1/removeCertification", obj{"technicianId": p.tech1, "name": "Backflow"})
	a.do("technician/v1/update", obj{"id": p.tech1, "firstName": "Pat", "lastName": "Plumber-Jones", "home": obj{"city": "Chicago", "lat": 41.88, "lng": -87.63}})
	extra := a.do("job/v1/addVisit", obj{"jobId": p.job2, "scheduledStart": now.Add(26 * time.Hour).Truncate(time.Minute), "scheduledEnd": now.Add(27 * time.Hour).Truncate(time.Minute)})
	a.do("job/v1/updateVisitStatus", obj{"visitId": str(extra, "id"), "status": "CANCELLED", "reasonCode": "CUSTOMER_REQUEST", "reason": "One visit is enough"})
	a.do("dispatch/v1/optimizeDay", obj{"date": day(1), "dryRun": true})
	a.do("pricebook/v1/price", obj{"pricebookId": str(pb, "id"), "lines": []obj{{"itemId": "repair", "quantity": "1"}}})
	invLines, _ := inv["document"].(obj)["lines"].([]any)
	a.do("invoice/v1/issueCreditMemo", obj{"invoiceId": str(inv, "id"), "reason": "Valve returned", "lines": []obj{{"lineId": str(invLines[len(invLines)-1], "id"), "quantity": "1"}}})
	a.do("technician/v1/removeSkill", obj{"technicianId": p.tech1, "trade": "PLUMBING"})
	// The audit trail and the change feed name any entity.
	a.pool.add("entityid", p.job1)
	return p
}

// linkAssociation has a community association request a CAM link to
// organization a, which approves it, suspends it and reinstates it: links
// are the one way another organization sees anything of a (its published
// compliance), and organization B has none.
func linkAssociation(t *testing.T, db *pgtest.DB, a *population) {
	t.Helper()
	out := runOpsd(t, "create-org", "-database-url", db.URL, "-system-database-url", db.OwnerURL, "-name", "Oak Ridge HOA", "-type", "COMMUNITY_ASSOCIATION")
	k := keyLine.FindStringSubmatch(out)
	if k == nil {
		t.Fatalf("create-org printed %q", out)
	}
	a.pool.add("contractorid", a.org)
	r := rawRPC(t, a.base, k[1], "cam/v1/requestLink", []byte(fmt.Sprintf(`{"contractorId":%q,"note":"Our pool vendor"}`, a.org)))
	if !r.ok {
		t.Fatalf("the association requests a link: %s", r.body)
	}
	var link obj
	if err := json.Unmarshal(r.data, &link); err != nil {
		t.Fatal(err)
	}
	harvest(a.pool, "link", link, 0)
	a.do("cam/v1/approveLink", obj{"linkId": str(link, "id"), "reason": "Insured and licensed"})
	a.do("cam/v1/suspendLink", obj{"linkId": str(link, "id"), "reason": "Paperwork"})
	a.do("cam/v1/reinstateLink", obj{"linkId": str(link, "id"), "reason": "Paperwork in"})
	a.do("cam/v1/listLinks", obj{})
}

// TestTenantIsolationAttack populates organization A through the API and
// then, for every procedure of the served OpenAPI document, calls it with
// organization B's key and inputs made of A's ids (every id field filled,
// plus every input A itself sent): nothing may succeed with any of A's ids
// in the answer, and A's rows must be as they were. Then A's first
// technician tries every procedure a technician may call on the second
// technician's job. Last, the runtime database role with no tenant set
// sees no row of any table.
func TestTenantIsolationAttack(t *testing.T) {
	p, db := postgresOpsd(t, "-rate-limit", "-1")
	orgB, keyB := createOrgWith(t, db, "Tenant B Heating")
	a := populate(t, newTenant(t, p.URL, p.Org, p.Key))
	linkAssociation(t, db, a)
	gen, ops := operations(t, p.URL)
	aIDs := secretIDs(a.pool)
	if len(aIDs) < 30 {
		t.Fatalf("organization A has only %d ids: %v", len(aIDs), a.pool)
	}
	t.Logf("organization A: %d ids of %d kinds", len(aIDs), len(a.pool))

	before := tenantDigest(t, db, p.Org)
	t.Run("organization B", func(t *testing.T) {
		codes := map[string]int{}
		calls, onlyInvalid := 0, []string{}
		for _, op := range ops {
			res := fillResult{}
			in := gen.build(op.proc, op.input, a.pool, &res, 0)
			if res.fields > 0 && res.filled == 0 {
				t.Errorf("%s: none of its id fields %v takes an id organization A has: populate A with one", op.proc, res.unmapped)
			}
			if in == nil {
				in = obj{}
			}
			body, _ := json.Marshal(in)
			attacks := append([][]byte{body}, a.inputs[op.proc]...)
			invalid := 0
			for _, body := range attacks {
				calls++
				r := rawRPC(t, p.URL, keyB, op.proc, body)
				if r.ok {
					codes["OK"]++
					id := containsAny(r.body, aIDs)
					switch {
					case id == "":
					case bytes.Contains(body, []byte(id)) && opaqueRefs[op.proc] != "":
						// B stored the id as its own opaque name.
						aIDs = slices.DeleteFunc(aIDs, func(s string) bool { return bytes.Contains(body, []byte(s)) })
					case bytes.Contains(body, []byte(id)):
						t.Errorf("%s %s as organization B: a success with A's id %s (a reference to A accepted): %.400s", op.proc, body, id, r.body)
					default:
						t.Errorf("%s %s as organization B: a success that shows A's id %s: %.400s", op.proc, body, id, r.body)
					}
					continue
				}
				codes[r.code]++
				if r.code == "VALIDATION_FAILED" || r.code == "INVALID_INPUT" {
					invalid++
				}
				if r.status >= 500 {
					t.Errorf("%s %s as organization B: HTTP %d %.300s", op.proc, body, r.status, r.body)
				}
				if id := containsAny(r.body, aIDs); id != "" && !bytes.Contains(body, []byte(id)) {
					t.Errorf("%s as organization B: an error that shows A's id %s: %.300s", op.proc, id, r.body)
				}
			}
			if invalid == len(attacks) {
				onlyInvalid = append(onlyInvalid, op.proc)
			}
		}
		t.Logf("%d procedures, %d calls with organization B's key on A's ids: %v", len(ops), calls, codes)
		t.Logf("%d procedures refused every attack input as invalid before looking anything up: %v", len(onlyInvalid), onlyInvalid)
		if after := tenantDigest(t, db, p.Org); !digestsEqual(t, before, after) {
			t.Error("organization A's rows changed during B's attack")
		}
		// B's own key still works: the refusals were about A's ids.
		if r := rawRPC(t, p.URL, keyB, "organization/v1/get", []byte(`{}`)); !r.ok || !bytes.Contains(r.body, []byte(orgB)) {
			t.Errorf("organization B reads itself: %s", r.body)
		}
	})

	t.Run("technician on another's job", func(t *testing.T) {
		pool := a.pool.clone()
		for k, ids := range a.secondJob {
			pool[k] = ids
		}
		theirs := secretIDs(a.secondJob)
		codes := map[string]int{}
		calls, procs := 0, 0
		for _, op := range ops {
			if !slices.Contains(op.roles, "TECHNICIAN") {
				continue
			}
			procs++
			res := fillResult{}
			in := gen.build(op.proc, op.input, pool, &res, 0)
			if in == nil {
				in = obj{}
			}
			body, _ := json.Marshal(in)
			attacks := [][]byte{body}
			for _, rec := range a.inputs[op.proc] {
				if containsAny(rec, theirs) != "" {
					attacks = append(attacks, rec)
				}
				// What was done on the first technician's job, done on the
				// second's.
				if swapped := swapIDs(rec, a.firstJob, a.secondJob); !bytes.Equal(swapped, rec) {
					attacks = append(attacks, swapped)
				}
			}
			for _, body := range attacks {
				calls++
				r := rawRPC(t, p.URL, a.tech1Key, op.proc, body)
				if !r.ok {
					codes[r.code]++
					if r.status >= 500 {
						t.Errorf("%s %s as the first technician: HTTP %d %.300s", op.proc, body, r.status, r.body)
					}
					continue
				}
				codes["OK"]++
				if id := containsAny(r.body, theirs); id != "" {
					t.Errorf("%s %s as the first technician: a success that shows the second technician's %s: %.400s", op.proc, body, id, r.body)
				} else if op.mutation && containsAny(body, theirs) != "" {
					t.Errorf("%s %s as the first technician: a change to the second technician's work succeeded", op.proc, body)
				}
			}
		}
		t.Logf("%d technician procedures, %d calls with the first technician's key on the second's job: %v", procs, calls, codes)
	})

	t.Run("no tenant set", func(t *testing.T) {
		noTenantSeesNothing(t, db, p.Org)
	})
}

// tables returns the tables of the public schema (from pg_catalog, so a new
// table is covered) and whether each has an organization_id column.
func tables(t *testing.T, conn *pgx.Conn) map[string]bool {
	t.Helper()
	rows, err := conn.Query(ctx, `
		SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for rows.Next() {
		var name string
		var hasOrg bool
		if err := rows.Scan(&name, &hasOrg); err != nil {
			t.Fatal(err)
		}
		out[name] = hasOrg
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func connectDB(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// tenantDigest returns, per table with an organization_id, a digest of the
// organization's rows, read as the superuser (who bypasses row-level
// security).
func tenantDigest(t *testing.T, db *pgtest.DB, org string) map[string]string {
	t.Helper()
	conn := connectDB(t, db.AdminURL)
	out := map[string]string{}
	for name, hasOrg := range tables(t, conn) {
		if !hasOrg {
			continue
		}
		var d string
		q := fmt.Sprintf(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t WHERE organization_id = $1`, pgx.Identifier{name}.Sanitize())
		if err := conn.QueryRow(ctx, q, org).Scan(&d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = d
	}
	return out
}

func digestsEqual(t *testing.T, before, after map[string]string) bool {
	t.Helper()
	same := true
	for name, d := range before {
		if after[name] != d {
			t.Errorf("table %s: organization A's rows went from %s to %s", name, d, after[name])
			same = false
		}
	}
	return same
}

// noTenantSeesNothing checks that the runtime role sees no row of any
// public table without a tenant set, and none of organization a's rows as
// another tenant, while the superuser sees them.
func noTenantSeesNothing(t *testing.T, db *pgtest.DB, orgA string) {
	admin := connectDB(t, db.AdminURL)
	app := connectDB(t, db.URL)
	all := tables(t, admin)
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	// Tables without tenant data that the runtime role reads: the
	// migrations pgstore checks at start. They must have no organization_id.
	shared := []string{"opsengine_schema_migrations"}
	populated, denied := 0, 0
	const other = "00000000-0000-0000-0000-0000000000bb"
	for _, name := range names {
		q := "SELECT count(*) FROM " + pgx.Identifier{name}.Sanitize()
		var total int
		if err := admin.QueryRow(ctx, q).Scan(&total); err != nil {
			t.Fatalf("%s as the superuser: %v", name, err)
		}
		if total > 0 {
			populated++
		}
		var seen int
		err := app.QueryRow(ctx, q).Scan(&seen)
		if err != nil {
			if strings.Contains(err.Error(), "permission denied") {
				denied++
				continue
			}
			t.Errorf("%s as the runtime role: %v", name, err)
			continue
		}
		if slices.Contains(shared, name) {
			if all[name] {
				t.Errorf("table %s holds tenant data (an organization_id) but is read without a tenant", name)
			}
			continue
		}
		if seen != 0 {
			t.Errorf("table %s: the runtime role with no tenant set sees %d of its %d rows", name, seen, total)
		}
		if !all[name] {
			continue
		}
		err = pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", other); err != nil {
				return err
			}
			return tx.QueryRow(ctx, q+" WHERE organization_id = $1", orgA).Scan(&seen)
		})
		if err != nil || seen != 0 {
			t.Errorf("table %s: another tenant sees %d of A's rows (%v)", name, seen, err)
		}
	}
	if populated < len(names)/2 {
		t.Errorf("only %d of %d tables have rows: the check would prove little", populated, len(names))
	}
	t.Logf("%d public tables (%d with rows, %d the runtime role may not read, %d shared without tenant data: %v): the runtime role without a tenant sees none of their rows",
		len(names), populated, denied, len(shared), shared)
}
