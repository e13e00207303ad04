package contractorops

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/inventory"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// Parts and jobs: a scheduled job's required parts are reserved on its
// technician's truck (and the truck's warehouse for the rest); the parts
// used on a visit are consumed from the truck, the job's reservation first,
// at the cost the ledger records; what comes back is returned at what the
// job was charged. The job's material cost is exactly the sum of its
// consumptions less its returns (inventory.JobMaterials).

// PartsReservation holds the stock a scheduled job needs: one per job (its
// id is the job's), replaced when the job is rescheduled on another
// technician, released when the job is cancelled or completed.
type PartsReservation struct {
	Meta
	JobID        string `json:"jobId"`
	TechnicianID string `json:"technicianId,omitempty"`
	// LocationID is the technician's truck; the reservation's lines are
	// there and at the truck's warehouse.
	LocationID string                `json:"locationId,omitempty"`
	Doc        inventory.Reservation `json:"document"`
	// Override records a dispatcher's decision to schedule the job although
	// some parts could not be reserved; Shortages says which and by how
	// much (what could be reserved was).
	Override  *PartsOverride `json:"override,omitempty"`
	Shortages []PartShortage `json:"shortages,omitempty"`
}

// PartShortage is a part of a job that cannot be reserved: the line of the
// job's Requirements.Parts (Part, from 0), what it needs, what the truck and
// its warehouse have available together, and what is short.
type PartShortage struct {
	Part      int             `json:"part"`
	SKU       string          `json:"sku"`
	ItemID    string          `json:"itemId,omitempty"` // empty: no item has the SKU
	Requested decimal.Decimal `json:"requested"`
	Available decimal.Decimal `json:"available"`
	Short     decimal.Decimal `json:"short"`
}

// PartsOverride schedules a job whose parts cannot all be reserved: the
// dispatcher says why. By and At are filled in by the engine.
type PartsOverride struct {
	Reason string    `json:"reason"`
	By     Actor     `json:"by,omitzero"`
	At     time.Time `json:"at,omitzero"`
}

// Validate checks the override.
func (o PartsOverride) Validate() error {
	return validation.ValidateStruct(&o, validation.Field(&o.Reason, validation.Required, validation.Length(1, 1000)))
}

var reservationsTable = table[PartsReservation]{
	spec: TableSpec{Name: "inventory_reservations", Keys: []string{"job_id", "status", "location_id", "backup_location_id", "open", "overridden"}},
	keys: func(r *PartsReservation) map[string]string {
		active := r.Doc.Status == inventory.ReservationActive
		backup := ""
		for _, l := range r.Doc.Lines {
			if l.LocationID != r.LocationID && l.Open().Sign() > 0 {
				backup = l.LocationID
			}
		}
		return keys("job_id", r.JobID, "status", string(r.Doc.Status), "location_id", r.LocationID, "backup_location_id", backup,
			"open", trueKey(active), "overridden", trueKey(active && r.Override != nil))
	},
}

// truckOf returns the active truck a technician drives, or nil.
func truckOf(t *txn, technicianID string) (*StockLocation, error) {
	if technicianID == "" {
		return nil, nil
	}
	trucks, err := find(t, stockLocationsTable, Query{Where: []Cond{Eq("technician_id", technicianID), Eq("active", "true")}, Limit: 1})
	if err != nil || len(trucks) == 0 {
		return nil, err
	}
	return trucks[0], nil
}

// jobNeed is a part a job still needs: its item and quantity, and the
// index of its first line in the job's Requirements.Parts.
type jobNeed struct {
	part int
	sku  string
	item *StockItem // nil: no item has the SKU
	qty  decimal.Decimal
}

// jobNeeds returns what the job's required parts still call for: each
// SKU's required quantity less what the job already used (net of returns),
// in the order of the requirements.
func jobNeeds(t *txn, j *Job) ([]jobNeed, error) {
	var needs []jobNeed
	for i, p := range j.Requirements.Parts {
		q, err := decimal.NewFromString(p.Quantity)
		if err != nil {
			return nil, fieldError(CodeValidationFailed, "requirements.parts."+strconv.Itoa(i)+".quantity", "validation_decimal", "must be a decimal number")
		}
		k := slices.IndexFunc(needs, func(n jobNeed) bool { return skuKey(n.sku) == skuKey(p.SKU) })
		if k >= 0 {
			needs[k].qty = needs[k].qty.Add(q)
			continue
		}
		n := jobNeed{part: i, sku: p.SKU, qty: q}
		items, err := find(t, stockItemsTable, Query{Where: []Cond{Eq("sku", skuKey(p.SKU))}, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(items) > 0 {
			n.item = items[0]
		}
		needs = append(needs, n)
	}
	if len(needs) == 0 {
		return nil, nil
	}
	used, err := jobMaterialsUsed(t, j.ID)
	if err != nil {
		return nil, err
	}
	out := needs[:0]
	for _, n := range needs {
		if n.item != nil {
			if k := slices.IndexFunc(used, func(m MaterialUse) bool { return m.ItemID == n.item.ID }); k >= 0 {
				n.qty = n.qty.Sub(used[k].Quantity)
			}
		}
		if n.qty.Sign() > 0 {
			out = append(out, n)
		}
	}
	return out, nil
}

// jobLedger returns the movements of a job (its consumptions and returns).
func jobLedger(t *txn, jobID string) ([]inventory.Movement, error) {
	rows, err := find(t, stockMovementsTable, Query{Where: []Cond{Eq("job_id", jobID)}, OrderBy: "at"})
	if err != nil {
		return nil, err
	}
	out := make([]inventory.Movement, len(rows))
	for i, r := range rows {
		out[i] = r.Movement
	}
	return out, nil
}

// reserveJobParts reserves the parts a job scheduled on a technician still
// needs (its Requirements.Parts less what it already used): on the
// technician's truck as far as it has them available, the rest at the
// truck's warehouse. It is what dispatch calls, in its transaction, when it
// schedules or reassigns a job; a job already holding a reservation has it
// replaced (its stock counts as available to the replacement), and a job
// with nothing left to reserve has it released.
//
// When the truck and its warehouse cannot cover every part, nothing is
// reserved and the error is an INVENTORY_SHORTAGE *Error naming each part
// short, by how much, with field errors requirements.parts.N.quantity (or
// requirements.parts.N.sku for a SKU no item has) — unless override is
// given: then what can be reserved is, and the reservation records the
// override (reason, who, when) and the shortages, which it returns and the
// negatives report lists. The reservation is a stored entity, audited like
// every write.
//
// It returns the job's reservation, or nil when the job needs no parts.
func (c *call) reserveJobParts(t *txn, job *Job, technicianID string, override *PartsOverride) (*PartsReservation, error) {
	cur, err := load(t, reservationsTable, job.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		cur = nil
	case err != nil:
		return nil, err
	}
	needs, err := jobNeeds(t, job)
	if err != nil {
		return nil, err
	}
	if len(needs) == 0 || technicianID == "" {
		return nil, c.releaseReservation(t, cur)
	}
	truck, err := truckOf(t, technicianID)
	if err != nil {
		return nil, err
	}
	res := &PartsReservation{Meta: Meta{ID: job.ID}, JobID: job.ID, TechnicianID: technicianID,
		Doc: inventory.Reservation{ID: job.ID, JobID: job.ID, Status: inventory.ReservationActive, CreatedAt: c.now}}
	if cur != nil {
		res.Meta = cur.Meta
	}
	var stocked []inventory.Need
	if truck != nil {
		res.LocationID = truck.ID
		for _, n := range needs {
			if n.item != nil {
				stocked = append(stocked, inventory.Need{ItemID: n.item.ID, Quantity: n.qty})
			}
		}
	}
	var found []inventory.Shortage // what package inventory found short
	if len(stocked) > 0 {
		ks := make([]inventory.Key, 0, 2*len(stocked))
		for _, n := range stocked {
			ks = append(ks, inventory.Key{ItemID: n.ItemID, LocationID: truck.ID})
			if truck.ReplenishFromID != "" {
				ks = append(ks, inventory.Key{ItemID: n.ItemID, LocationID: truck.ReplenishFromID})
			}
		}
		l, err := c.openLedger(t, ks)
		if err != nil {
			return nil, err
		}
		if cur != nil {
			l.book.Track(cur.Doc)
		}
		req := inventory.ReservationRequest{ID: job.ID, JobID: job.ID, LocationID: truck.ID, Needs: stocked}
		doc, err := l.book.Reserve(c.now, req)
		var se *inventory.ShortageError
		if errors.As(err, &se) {
			found = se.Items
			// With an override, what there is is reserved: each need
			// capped at what is available.
			req.Needs = nil
			for _, n := range stocked {
				q := n.Quantity
				if i := slices.IndexFunc(found, func(s inventory.Shortage) bool { return s.ItemID == n.ItemID }); i >= 0 {
					q = found[i].Available
				}
				if q.Sign() > 0 {
					req.Needs = append(req.Needs, inventory.Need{ItemID: n.ItemID, Quantity: q})
				}
			}
			err = nil
			if override != nil && len(req.Needs) > 0 {
				doc, err = l.book.Reserve(c.now, req)
			}
		}
		if err != nil {
			return nil, err
		}
		if doc.ID != "" {
			res.Doc = doc
		}
		for _, line := range res.Doc.Lines {
			l.hold(inventory.Key{ItemID: line.ItemID, LocationID: line.LocationID})
		}
		if err := l.save(); err != nil {
			return nil, err
		}
	}
	short := partShortages(needs, truck, found)
	if len(short) > 0 {
		if override == nil {
			return nil, jobShortage(job, truck, technicianID, short)
		}
		o := *override
		o.By, o.At = c.scope.Actor, c.now
		res.Override, res.Shortages = &o, short
	}
	if cur == nil {
		return res, insert(t, reservationsTable, res)
	}
	return res, update(t, reservationsTable, res)
}

// partShortages lists the parts a job cannot have, in the order of its
// requirements: a SKU no item has, every part when the technician has no
// truck, and what package inventory found short at the truck and its
// warehouse.
func partShortages(needs []jobNeed, truck *StockLocation, found []inventory.Shortage) []PartShortage {
	var out []PartShortage
	for _, n := range needs {
		s := PartShortage{Part: n.part, SKU: n.sku, Requested: n.qty, Short: n.qty}
		if n.item != nil {
			s.ItemID = n.item.ID
			if truck != nil {
				i := slices.IndexFunc(found, func(f inventory.Shortage) bool { return f.ItemID == n.item.ID })
				if i < 0 {
					continue
				}
				s.Available, s.Short = found[i].Available, found[i].Short
			}
		}
		out = append(out, s)
	}
	return out
}

// jobShortage is the INVENTORY_SHORTAGE of a job whose parts cannot be
// reserved: one field error per part short, on its line of the job's
// requirements.
func jobShortage(job *Job, truck *StockLocation, technicianID string, short []PartShortage) *Error {
	where := "technician " + technicianID + " has no truck"
	if truck != nil {
		where = "at truck " + truck.Code
		if truck.ReplenishFromID != "" {
			where += " and its warehouse"
		}
	}
	names := make([]string, len(short))
	fes := make([]FieldError, len(short))
	for i, s := range short {
		path := "requirements.parts." + strconv.Itoa(s.Part)
		if s.ItemID == "" {
			names[i] = s.SKU + ": no inventory item has this SKU"
			fes[i] = FieldError{Field: path + ".sku", Code: "inventory_unknown_sku", Message: names[i]}
			continue
		}
		names[i] = s.SKU + " short " + s.Short.String() + " (needs " + s.Requested.String() + ", " + s.Available.String() + " available)"
		fes[i] = FieldError{Field: path + ".quantity", Code: "inventory_shortage", Message: names[i]}
	}
	e := NewError(CodeInventoryShortage, "job %s: its parts cannot be reserved (%s): %s", job.Number, where, strings.Join(names, "; "))
	e.FieldErrors = fes
	return e
}

// releaseJobParts releases what a job's reservation still holds. The job
// lifecycle calls it when a job is cancelled or completed (see
// call.record); dispatch calls it when it unassigns a job.
func (c *call) releaseJobParts(t *txn, job *Job) error {
	cur, err := load(t, reservationsTable, job.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.releaseReservation(t, cur)
}

func (c *call) releaseReservation(t *txn, r *PartsReservation) error {
	if r == nil || r.Doc.Status != inventory.ReservationActive {
		return nil
	}
	book, err := inventory.NewBook(nil, nil, &inventory.Config{Partial: true})
	if err != nil {
		return err
	}
	if r.Doc, err = r.Doc.Release(c.now, book); err != nil {
		return err
	}
	return update(t, reservationsTable, r)
}

// ReserveJobPartsInput reserves a job's parts on a technician's truck (the
// job's technician by default): what dispatch does when it schedules the
// job, for a dispatcher who wants to check or redo it.
type ReserveJobPartsInput struct {
	JobID        string         `json:"jobId"`
	TechnicianID string         `json:"technicianId,omitempty"`
	Override     *PartsOverride `json:"override,omitempty"`
}

// Validate checks the input.
func (in ReserveJobPartsInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.TechnicianID, validation.Length(0, 100)),
		validation.Field(&in.Override),
	)
}

// JobReservation is a job's reservation, if it has one.
type JobReservation struct {
	Reservation *PartsReservation `json:"reservation"`
}

func (c *call) reserveJob(in *ReserveJobPartsInput) (*JobReservation, error) {
	return inTx(c, "reserve-job", func(t *txn) (*JobReservation, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		if j.Status().Terminal() {
			return nil, NewError(CodeIllegalTransition, "job %s is %s: it needs no parts", j.Number, j.Status())
		}
		tech := or(in.TechnicianID, j.TechnicianID)
		if tech == "" {
			return nil, fieldError(CodeValidationFailed, "technicianId", "validation_required", "the job has no technician: name the one whose truck carries its parts")
		}
		if _, err := load(t, techniciansTable, tech); err != nil {
			return nil, fieldNotFound(err, "technicianId")
		}
		r, err := c.reserveJobParts(t, j, tech, in.Override)
		return &JobReservation{Reservation: r}, err
	})
}

func (c *call) releaseJob(in *JobIDInput) (*JobReservation, error) {
	return inTx(c, "release-job", func(t *txn) (*JobReservation, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		if err := c.releaseJobParts(t, j); err != nil {
			return nil, err
		}
		return jobReservation(t, j.ID)
	})
}

func (c *call) getJobReservation(in *JobIDInput) (*JobReservation, error) {
	return inTx(c, "get-job-reservation", func(t *txn) (*JobReservation, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		return jobReservation(t, j.ID)
	})
}

func jobReservation(t *txn, jobID string) (*JobReservation, error) {
	r, err := load(t, reservationsTable, jobID)
	if errors.Is(err, ErrNotFound) {
		return &JobReservation{}, nil
	}
	return &JobReservation{Reservation: r}, err
}

// MaterialLine is a quantity of an item used on, or returned from, a job:
// by item id or by SKU (what a technician scans).
type MaterialLine struct {
	ItemID   string          `json:"itemId,omitempty"`
	SKU      string          `json:"sku,omitempty"`
	Quantity decimal.Decimal `json:"quantity"`
	Lot      string          `json:"lot,omitempty"`
	Serial   string          `json:"serial,omitempty"`
}

// Validate checks the line.
func (l MaterialLine) Validate() error {
	return validation.ValidateStruct(&l,
		validation.Field(&l.ItemID, validation.Length(0, 100),
			validation.When(l.SKU == "", validation.Required.Error("name the item by itemId or sku"))),
		validation.Field(&l.SKU, validation.Length(0, 100),
			validation.When(l.ItemID != "", validation.Empty.Error("name the item by itemId or sku, not both"))),
		validation.Field(&l.Quantity, validation.By(decimalRule(true, quantityPlaces, maxQuantity))),
		validation.Field(&l.Lot, validation.Length(0, 100)),
		validation.Field(&l.Serial, validation.Length(0, 100)),
	)
}

// MaterialsInput records materials used on (or returned from) a job's
// visit, at a location: the technician's own truck by default (a
// technician may use no other); the office names any location.
type MaterialsInput struct {
	JobID      string         `json:"jobId"`
	VisitID    string         `json:"visitId,omitempty"`
	LocationID string         `json:"locationId,omitempty"`
	Lines      []MaterialLine `json:"lines"`
	Note       string         `json:"note,omitempty"`
}

// Validate checks the input.
func (in MaterialsInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.VisitID, validation.Length(0, 100)),
		validation.Field(&in.LocationID, validation.Length(0, 100)),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Note, validation.Length(0, 2000)),
	)
}

// MaterialsResult is what a materials command posted and the job's
// materials after it.
type MaterialsResult struct {
	Movements []StockMovement `json:"movements"`
	Materials JobMaterials    `json:"materials"`
}

// materialsCall resolves a materials command: the job (as the scope may see
// it), the location and the lines' items, and opens the ledger of the
// items at the location.
func (c *call) materialsCall(t *txn, in *MaterialsInput) (*Job, *StockLocation, []string, *ledger, error) {
	j, loc, items, err := c.materialsRefs(t, in)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	l, err := c.openLedger(t, keysAt(loc.ID, items))
	if err != nil {
		refs := make([]ref, len(items))
		for i, id := range items {
			refs[i] = ref{stockItemsTable.spec.Name, id, "lines." + strconv.Itoa(i) + ".itemId"}
		}
		return nil, nil, nil, nil, notFoundField(err, refs...)
	}
	return j, loc, items, l, nil
}

func (c *call) materialsRefs(t *txn, in *MaterialsInput) (*Job, *StockLocation, []string, error) {
	j, err := c.loadJob(t, in.JobID)
	if err != nil {
		return nil, nil, nil, err
	}
	if j.Status().Terminal() {
		return nil, nil, nil, NewError(CodeIllegalTransition, "job %s is %s: its materials are final", j.Number, j.Status())
	}
	if in.VisitID != "" {
		v, err := load(t, visitsTable, in.VisitID)
		if err != nil || v.JobID != j.ID {
			return nil, nil, nil, fieldError(CodeNotFound, "visitId", "not_found", "the job has no visit "+in.VisitID)
		}
	}
	var loc *StockLocation
	switch {
	case in.LocationID != "":
		if loc, err = c.loadStockLocation(t, in.LocationID); err != nil {
			return nil, nil, nil, fieldNotFound(err, "locationId")
		}
	default:
		tech := or(c.technicianID(), j.TechnicianID)
		if loc, err = truckOf(t, tech); err != nil {
			return nil, nil, nil, err
		}
		if loc == nil {
			return nil, nil, nil, fieldError(CodeValidationFailed, "locationId", "validation_required", "no truck to take the materials from: name the location")
		}
	}
	items := make([]string, len(in.Lines))
	for i, line := range in.Lines {
		items[i] = line.ItemID
		if line.SKU != "" {
			found, err := find(t, stockItemsTable, Query{Where: []Cond{Eq("sku", skuKey(line.SKU))}, Limit: 1})
			if err != nil {
				return nil, nil, nil, err
			}
			if len(found) == 0 {
				return nil, nil, nil, fieldError(CodeNotFound, "lines."+strconv.Itoa(i)+".sku", "not_found", "no inventory item has SKU "+line.SKU)
			}
			items[i] = found[0].ID
		}
	}
	return j, loc, items, nil
}

// consume records materials used on a job, from the location's stock: each
// line consumes the job's reservation first (package inventory's
// Reservation.Consume), so that what the job reserved is not held against
// it; without a reservation, what is available.
func (c *call) consume(in *MaterialsInput) (*MaterialsResult, error) {
	return inTx(c, "consume", func(t *txn) (*MaterialsResult, error) {
		j, loc, items, l, err := c.materialsCall(t, in)
		if err != nil {
			return nil, err
		}
		res, err := load(t, reservationsTable, j.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		active := err == nil && res.Doc.Status == inventory.ReservationActive
		if active {
			l.book.Track(res.Doc)
		}
		for i, line := range in.Lines {
			m := inventory.Movement{
				Kind: inventory.Consumption, ItemID: items[i], LocationID: loc.ID, Quantity: line.Quantity.Neg(), At: c.now,
				JobID: j.ID, VisitID: in.VisitID, Note: in.Note, Lot: line.Lot, Serial: line.Serial,
			}
			var posted inventory.Movement
			if active && res.Doc.Status == inventory.ReservationActive {
				res.Doc, posted, err = res.Doc.Consume(m, l.book)
			} else {
				var ps []inventory.Movement
				if ps, err = l.book.Post(m); err == nil {
					posted = ps[0]
				}
			}
			if err != nil {
				return nil, stockLineError(within("lines."+strconv.Itoa(i), err), func(string) int { return i })
			}
			if err := l.append(posted); err != nil {
				return nil, err
			}
		}
		if active {
			if err := update(t, reservationsTable, res); err != nil {
				return nil, err
			}
		}
		return c.materialsResult(t, l, j)
	})
}

// returnMaterials brings unused materials back from a job to the location,
// each at the job's average cost of the item (inventory.JobMaterial's
// UnitCost), so a return credits the job what it was charged. A job cannot
// return more of an item than it used.
func (c *call) returnMaterials(in *MaterialsInput) (*MaterialsResult, error) {
	return inTx(c, "return-materials", func(t *txn) (*MaterialsResult, error) {
		j, loc, items, l, err := c.materialsCall(t, in)
		if err != nil {
			return nil, err
		}
		moves, err := jobLedger(t, j.ID)
		if err != nil {
			return nil, err
		}
		used := inventory.JobMaterials(j.ID, moves)
		back := map[string]decimal.Decimal{}
		for i, line := range in.Lines {
			k := slices.IndexFunc(used, func(m inventory.JobMaterial) bool { return m.ItemID == items[i] })
			back[items[i]] = back[items[i]].Add(line.Quantity)
			if k < 0 || back[items[i]].GreaterThan(used[k].Quantity) {
				usedQty := decimal.Zero
				if k >= 0 {
					usedQty = used[k].Quantity
				}
				return nil, fieldError(CodeValidationFailed, "lines."+strconv.Itoa(i)+".quantity", "validation_return_exceeds_use",
					"job "+j.Number+" used "+usedQty.String()+" of "+l.items[items[i]].SKU+": it cannot return "+back[items[i]].String())
			}
			if _, err := l.post(inventory.Movement{
				Kind: inventory.Return, ItemID: items[i], LocationID: loc.ID, Quantity: line.Quantity, UnitCost: used[k].UnitCost(),
				At: c.now, JobID: j.ID, VisitID: in.VisitID, Note: in.Note, Lot: line.Lot, Serial: line.Serial,
			}); err != nil {
				return nil, within("lines."+strconv.Itoa(i), err)
			}
		}
		return c.materialsResult(t, l, j)
	})
}

func (c *call) materialsResult(t *txn, l *ledger, j *Job) (*MaterialsResult, error) {
	if err := l.save(); err != nil {
		return nil, err
	}
	m, err := jobMaterials(t, j)
	if err != nil {
		return nil, err
	}
	return &MaterialsResult{Movements: l.movements(), Materials: *m}, nil
}

// MaterialUse is what a job used of one stock item, net of returns, at the
// costs the ledger recorded when it was consumed: the material cost of the
// job and the materials an invoice from actuals proposes to bill.
type MaterialUse struct {
	ItemID          string                  `json:"itemId"`
	SKU             string                  `json:"sku"`
	Name            string                  `json:"name"`
	Unit            inventory.UnitOfMeasure `json:"unitOfMeasure"`
	PricebookItemID string                  `json:"pricebookItemId,omitempty"`
	Quantity        decimal.Decimal         `json:"quantity"`
	// Cost is exact: the sum of the consumptions' values less the returns'.
	// UnitCost is Cost/Quantity rounded to inventory.CostPlaces.
	Cost     decimal.Decimal `json:"cost"`
	UnitCost decimal.Decimal `json:"unitCost"`
}

// InvoiceLine returns the use as a material of a time-and-materials invoice
// (pricing.Actuals), in the organization's currency: identified by its item
// (a job uses each item on one line), billed as its pricebook item.
func (m MaterialUse) InvoiceLine(currency string) (pricing.MaterialUse, error) {
	q, err := pricing.QuantityFromDecimal(m.Quantity)
	if err != nil {
		return pricing.MaterialUse{}, err
	}
	cost, err := pricing.MoneyFromDecimal(m.UnitCost, currency)
	if err != nil {
		return pricing.MaterialUse{}, err
	}
	return pricing.MaterialUse{ID: "stock:" + m.ItemID, ItemID: m.PricebookItemID, Description: m.Name, Quantity: q, UnitCost: cost}, nil
}

// jobMaterialsUsed returns what a job used of each stock item, net of
// returns, sorted by item, leaving out items returned in full: the hook
// billing calls for invoices from actuals and job profitability.
func jobMaterialsUsed(t *txn, jobID string) ([]MaterialUse, error) {
	uses, _, err := jobUses(t, jobID)
	return uses, err
}

// jobUses returns what a job used of each item (see jobMaterialsUsed) and
// the job's material cost: the exact sum of the ledger's values, which
// includes the rounding residue an item returned in full may leave (a
// return credits the job's average unit cost, to inventory.CostPlaces).
func jobUses(t *txn, jobID string) ([]MaterialUse, decimal.Decimal, error) {
	moves, err := jobLedger(t, jobID)
	if err != nil {
		return nil, decimal.Zero, err
	}
	var out []MaterialUse
	var total decimal.Decimal
	for _, m := range inventory.JobMaterials(jobID, moves) {
		total = total.Add(m.Cost)
		if m.Quantity.Sign() <= 0 {
			continue
		}
		it, err := load(t, stockItemsTable, m.ItemID)
		if err != nil {
			return nil, decimal.Zero, err
		}
		out = append(out, MaterialUse{
			ItemID: m.ItemID, SKU: it.SKU, Name: it.Name, Unit: it.Unit, PricebookItemID: it.PricebookItemID,
			Quantity: m.Quantity, Cost: m.Cost, UnitCost: m.UnitCost(),
		})
	}
	return out, total, nil
}

// JobMaterials is the materials a job used and their cost, in the
// organization's currency. Cost is the job's material cost, exact to the
// ledger (see jobUses).
type JobMaterials struct {
	JobID    string          `json:"jobId"`
	Currency string          `json:"currency"`
	Lines    []MaterialUse   `json:"lines"`
	Cost     decimal.Decimal `json:"cost"`
}

func jobMaterials(t *txn, j *Job) (*JobMaterials, error) {
	uses, cost, err := jobUses(t, j.ID)
	if err != nil {
		return nil, err
	}
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, err
	}
	out := &JobMaterials{JobID: j.ID, Currency: org.Currency, Lines: uses, Cost: cost}
	if out.Lines == nil {
		out.Lines = []MaterialUse{}
	}
	return out, nil
}

func (c *call) getJobMaterials(in *JobIDInput) (*JobMaterials, error) {
	return inTx(c, "job-materials", func(t *txn) (*JobMaterials, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		return jobMaterials(t, j)
	})
}

// partsReleased is the job lifecycle's hook: a job that is cancelled or
// completed holds no parts any more.
func partsReleased(to jobfsm.JobStatus) bool {
	return to == jobfsm.JobCancelled || to == jobfsm.JobCompleted
}

// inventoryMaterials is the inventory area's material source for billing:
// what a job consumed from stock, net of returns, at its exact cost, as
// lines of a time-and-materials invoice.
func inventoryMaterials(t *txn, j *Job) ([]pricing.MaterialUse, error) {
	uses, err := jobMaterialsUsed(t, j.ID)
	if err != nil || len(uses) == 0 {
		return nil, err
	}
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, err
	}
	out := make([]pricing.MaterialUse, 0, len(uses))
	for _, u := range uses {
		line, err := u.InvoiceLine(org.Currency)
		if err != nil {
			return nil, err
		}
		out = append(out, line)
	}
	return out, nil
}
