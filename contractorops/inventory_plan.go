package contractorops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/inventory"
)

// Replenishment: package inventory's plan (inventory.Plan) refills the
// trucks from their warehouse and buys what the warehouses lack; the engine
// turns its proposals into documents — PENDING transfers and DRAFT purchase
// orders that a person ships or submits. The procurement agent runs it
// every night for every organization with reorder policies.
//
// A planning run never duplicates: a proposal whose stable key (source,
// destination, supplier) already has an open proposal — a pending transfer
// or a draft order the plan made — is added to it; a new one is created
// under an id made of the run's date and the key; and the documents a plan
// creates count in the next plan's positions (drafts are on order, pending
// transfers in transit), so a second run proposes only what changed.

// ProcurementAgent names the procurement agent: the id of its actor (kind
// agent, role AGENT) and the name of its task.
const ProcurementAgent = "procurement-agent"

// defaultDemandDays is the consumption history a REORDER_POINT policy's
// demand is computed from.
const defaultDemandDays = 90

// PlanReplenishmentInput runs the replenishment plan now.
type PlanReplenishmentInput struct {
	// DemandDays is the history of consumption REORDER_POINT policies
	// compute demand from, in days up to now (default 90).
	DemandDays int `json:"demandDays,omitempty"`
}

// Validate checks the input.
func (in PlanReplenishmentInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.DemandDays, validation.Min(0), validation.Max(730)))
}

// ReplenishmentRun is what a planning run proposed and the documents it
// created or added to.
type ReplenishmentRun struct {
	Proposal  *inventory.Proposal `json:"proposal"`
	Transfers []StockTransfer     `json:"transfers"`
	Orders    []PurchaseOrder     `json:"orders"`
}

// plan runs inventory.Plan on the organization's whole stock: every active
// item, location, supplier and policy, the levels of every balance and open
// document, and the demand of the last days days.
func (c *call) plan(t *txn, days int) (*inventory.Proposal, *stockView, error) {
	v, err := viewStock(t, nil, Query{}, "")
	if err != nil {
		return nil, nil, err
	}
	in := inventory.PlanInput{Levels: v.book.Levels()}
	in.Items, in.Locations = catalogOf(v.items, v.locations)
	suppliers, err := find(t, suppliersTable, Query{Where: []Cond{Eq("active", "true")}})
	if err != nil {
		return nil, nil, err
	}
	for _, s := range suppliers {
		in.Suppliers = append(in.Suppliers, s.supplier())
	}
	policies, err := find(t, policiesTable, Query{OrderBy: "item_id"})
	if err != nil {
		return nil, nil, err
	}
	demand := false
	for _, p := range policies {
		it, loc := v.items[p.ItemID], v.locations[p.LocationID]
		if it == nil || loc == nil || !it.Active || !loc.Active {
			continue
		}
		in.Policies = append(in.Policies, p.Policy)
		demand = demand || p.Kind == inventory.PolicyReorderPoint
	}
	if demand {
		if in.Demand, err = c.demand(t, in.Locations, or(days, defaultDemandDays)); err != nil {
			return nil, nil, err
		}
	}
	p, err := inventory.Plan(c.now, in)
	return p, v, err
}

// demand counts the daily demand of the last days days, in the
// organization's time zone, from the ledger.
func (c *call) demand(t *txn, locations []inventory.Location, days int) ([]inventory.DemandStats, error) {
	loc, err := c.orgLocation(t)
	if err != nil {
		return nil, err
	}
	from := c.now.In(loc).AddDate(0, 0, -days)
	counter, err := inventory.NewDemandCounter(from, days, locations)
	if err != nil {
		return nil, err
	}
	rows, err := find(t, stockMovementsTable, Query{Where: []Cond{Gte("at", timeKey(from))}, OrderBy: "at"})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if err := counter.Add(r.Movement); err != nil {
			return nil, err
		}
	}
	return counter.Stats(), nil
}

// orgLocation is the organization's time zone.
func (c *call) orgLocation(t *txn) (*time.Location, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(org.TimeZone)
	if err != nil {
		return nil, WrapError(err, CodeInternal, "load time zone %q", org.TimeZone)
	}
	return loc, nil
}

func (c *call) replenishmentPlan(in *PlanReplenishmentInput) (*inventory.Proposal, error) {
	return inTx(c, "replenishment-plan", func(t *txn) (*inventory.Proposal, error) {
		p, _, err := c.plan(t, in.DemandDays)
		return p, err
	})
}

func (c *call) planReplenishment(in *PlanReplenishmentInput) (*ReplenishmentRun, error) {
	return inTx(c, "plan-replenishment", func(t *txn) (*ReplenishmentRun, error) {
		p, v, err := c.plan(t, in.DemandDays)
		if err != nil {
			return nil, err
		}
		tz, err := c.orgLocation(t)
		if err != nil {
			return nil, err
		}
		run := &ReplenishmentRun{Proposal: p, Transfers: []StockTransfer{}, Orders: []PurchaseOrder{}}
		date := c.now.In(tz).Format("20060102")
		for _, pt := range p.Transfers {
			tr, err := c.proposeTransfer(t, v, date, pt)
			if err != nil {
				return nil, err
			}
			run.Transfers = append(run.Transfers, *tr)
		}
		for _, po := range p.Orders {
			o, err := c.proposeOrder(t, v.book, date, po)
			if err != nil {
				return nil, err
			}
			run.Orders = append(run.Orders, *o)
		}
		return run, nil
	})
}

// proposeTransfer adds a proposed transfer to the pending transfer the plan
// made under its key, or requests a new one.
func (c *call) proposeTransfer(t *txn, v *stockView, date string, pt inventory.ProposedTransfer) (*StockTransfer, error) {
	keys := make([]inventory.Key, len(pt.Lines))
	for i, l := range pt.Lines {
		keys[i] = inventory.Key{ItemID: l.ItemID, LocationID: pt.FromID}
	}
	if err := v.hold(t, keys...); err != nil {
		return nil, err
	}
	tr, id, err := proposed(t, transfersTable, date, pt.Key)
	if err != nil {
		return nil, err
	}
	if tr == nil {
		tr := &StockTransfer{Meta: Meta{ID: id}, PlanKey: pt.Key, RequestedBy: c.scope.Actor, Note: "replenishment plan"}
		return tr, c.newTransfer(t, v.book, tr, pt.Request(id, ""))
	}
	req := inventory.TransferRequest{ID: tr.ID, Number: tr.Doc.Number, FromID: tr.Doc.FromID, ToID: tr.Doc.ToID}
	for _, l := range tr.Doc.Lines {
		req.Lines = append(req.Lines, inventory.TransferLineInput{ItemID: l.ItemID, Quantity: l.Requested, Lot: l.Lot, Serial: l.Serial})
	}
	for _, pl := range pt.Lines {
		if i := slices.IndexFunc(req.Lines, func(l inventory.TransferLineInput) bool { return l.ItemID == pl.ItemID }); i >= 0 {
			req.Lines[i].Quantity = req.Lines[i].Quantity.Add(pl.Quantity)
		} else {
			req.Lines = append(req.Lines, inventory.TransferLineInput{ItemID: pl.ItemID, Quantity: pl.Quantity})
		}
	}
	if tr.Doc, err = v.book.RequestTransfer(tr.Doc.RequestedAt, req); err != nil {
		return nil, err
	}
	return tr, update(t, transfersTable, tr)
}

// proposeOrder adds a proposed order's lines to the draft the plan made
// under its key, or drafts a new order.
func (c *call) proposeOrder(t *txn, book *inventory.Book, date string, po inventory.ProposedOrder) (*PurchaseOrder, error) {
	o, id, err := proposed(t, purchaseOrdersTable, date, po.Key)
	if err != nil {
		return nil, err
	}
	if o == nil {
		o := &PurchaseOrder{Meta: Meta{ID: id}, PlanKey: po.Key, CreatedBy: c.scope.Actor, Notes: "replenishment plan"}
		if err := c.newOrder(t, o, func(number string) (inventory.PurchaseOrder, error) { return po.Draft(c.now, id, number) }); err != nil {
			return nil, err
		}
		book.Track(o.Doc)
		return o, nil
	}
	doc := o.Doc
	for _, pl := range po.Lines {
		i := slices.IndexFunc(doc.Lines, func(l inventory.OrderLine) bool { return l.ItemID == pl.ItemID })
		if i < 0 {
			doc, err = doc.AddLine(inventory.OrderLine{ItemID: pl.ItemID, SupplierSKU: pl.SupplierSKU, Quantity: pl.Quantity, UnitCost: pl.UnitCost})
		} else {
			doc, err = doc.SetLine(doc.Lines[i].Line, doc.Lines[i].Quantity.Add(pl.Quantity), doc.Lines[i].UnitCost)
		}
		if err != nil {
			return nil, err
		}
	}
	o.Doc = doc
	book.Track(o.Doc)
	return o, update(t, purchaseOrdersTable, o)
}

// proposed returns the open document a plan made under key, or, when there
// is none, the id a new one takes.
func proposed[T any, P entity[T]](t *txn, tb table[T], date, key string) (P, string, error) {
	open, err := find[T, P](t, tb, Query{Where: []Cond{Eq("plan_key", key)}, Limit: 1})
	switch {
	case err != nil:
		return nil, "", err
	case len(open) > 0:
		return open[0], "", nil
	}
	id, err := freeID[T, P](t, tb, planID(date, key))
	return nil, id, err
}

// planID is the id of the document a planning run on date (YYYYMMDD)
// proposes under a plan key: the same in every run of that day.
func planID(date, key string) string {
	sum := sha256.Sum256([]byte(key))
	return "rpl-" + date + "-" + hex.EncodeToString(sum[:10])
}

// freeID returns id, or id-2, id-3 … when a document already has it (one
// made under the same key earlier the same day, and already closed).
func freeID[T any, P entity[T]](t *txn, tb table[T], id string) (string, error) {
	for n := 1; ; n++ {
		try := id
		if n > 1 {
			try = fmt.Sprintf("%s-%d", id, n)
		}
		_, err := load[T, P](t, tb, try)
		switch {
		case errors.Is(err, ErrNotFound):
			return try, nil
		case err != nil:
			return "", err
		}
	}
}

// procurementTask runs the procurement agent: every night, for each
// organization with reorder policies, inventory/v1/planReplenishment as the
// agent, under the idempotency key of the organization's date, so that a
// second run of the same night replays the first.
func procurementTask() Task {
	return Task{
		Name:        ProcurementAgent,
		Description: "Run the replenishment plan of every organization with reorder policies and draft its transfers and purchase orders.",
		Schedule:    "0 0 5 * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var date string
			var planned bool
			err := e.forTenant(ctx, org, tick, func(t *txn) error {
				ps, err := find(t, policiesTable, Query{Limit: 1})
				if err != nil || len(ps) == 0 {
					return err
				}
				o, err := load(t, organizationsTable, org)
				if err != nil {
					return err
				}
				loc, err := time.LoadLocation(o.TimeZone)
				if err != nil {
					loc = time.UTC
				}
				date, planned = tick.In(loc).Format(time.DateOnly), true
				return nil
			})
			if err != nil || !planned {
				return 0, err
			}
			scope := Scope{OrganizationID: org, Actor: Actor{Kind: ActorAgent, ID: ProcurementAgent}, Role: RoleAgent,
				Procedures: []string{"inventory/v1/planReplenishment"}}
			_, err = e.Execute(ctx, scope, "inventory/v1/planReplenishment", "replenish:"+date, &PlanReplenishmentInput{})
			return 1, err
		},
	}
}
