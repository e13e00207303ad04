package inventory

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// PlanInput is what [Plan] decides on: the catalog, the policies, the derived
// levels ([Book.Levels]) and the demand ([DemandCounter.Stats]). Levels and
// demand absent for an item×location are zero. Plan is fastest when Policies,
// Levels and Demand are sorted by item then location, as the Book and the
// DemandCounter return them.
type PlanInput struct {
	Items     []Item        `json:"items"`
	Locations []Location    `json:"locations"`
	Suppliers []Supplier    `json:"suppliers"`
	Policies  []Policy      `json:"policies"`
	Levels    []Level       `json:"levels"`
	Demand    []DemandStats `json:"demand"`
	// TransferLeadTime is how long a refill by transfer takes. Defaults to
	// one day (trucks refilled overnight).
	TransferLeadTime *LeadTime `json:"transferLeadTime,omitempty"`
}

// Proposal is a replenishment plan: transfers to request and purchase orders
// to draft. Nothing in it has happened: the engine (or its procurement agent)
// turns proposals into documents, and once they exist as documents (drafts
// included) the next plan counts them in the positions and does not propose
// them again.
type Proposal struct {
	At        time.Time          `json:"at"`
	Transfers []ProposedTransfer `json:"transfers"`
	Orders    []ProposedOrder    `json:"orders"`
	// Unfilled lists what no source can cover: an item no supplier sells.
	Unfilled []Unfilled `json:"unfilled"`
}

// ProposedTransfer is a refill from one location to another (warehouse to
// truck), sorted by item.
type ProposedTransfer struct {
	// Key is stable: the same source and destination give the same key in
	// every plan.
	Key    string         `json:"key"`
	FromID string         `json:"fromLocationId"`
	ToID   string         `json:"toLocationId"`
	Lines  []ProposedLine `json:"lines"`
}

// ProposedOrder is a purchase order to draft: one supplier, one delivery
// location, lines sorted by item.
type ProposedOrder struct {
	Key                string         `json:"key"`
	SupplierID         string         `json:"supplierId"`
	DeliveryLocationID string         `json:"deliveryLocationId"`
	ExpectedAt         time.Time      `json:"expectedAt"` // now + the longest lead time of its lines
	Lines              []ProposedLine `json:"lines"`
}

// ProposedLine is one item to transfer or buy, and why.
type ProposedLine struct {
	// Key identifies the need, not the plan run: a plan that proposes the
	// same item from the same source to the same location gives the same
	// key, whatever the quantity. An agent running plans on a schedule
	// keeps one open proposal per key and updates its quantity.
	Key         string          `json:"key"`
	ItemID      string          `json:"itemId"`
	Quantity    decimal.Decimal `json:"quantity"`
	UnitCost    decimal.Decimal `json:"unitCost"` // the supplier's price (purchases) or the source's unit cost (transfers)
	SupplierSKU string          `json:"supplierSku,omitempty"`
	// Position is the destination's inventory position before the plan,
	// and ReorderPoint the level its policy keeps it at or above.
	Position     decimal.Decimal `json:"position"`
	ReorderPoint decimal.Decimal `json:"reorderPoint"`
	Reason       string          `json:"reason"`
}

// Unfilled is a need no source can cover.
type Unfilled struct {
	Key        string          `json:"key"`
	ItemID     string          `json:"itemId"`
	LocationID string          `json:"locationId"`
	Quantity   decimal.Decimal `json:"quantity"`
	Reason     string          `json:"reason"`
}

// Draft returns the proposed order as a DRAFT purchase order.
func (o ProposedOrder) Draft(now time.Time, id, number string) (PurchaseOrder, error) {
	po := PurchaseOrder{ID: id, Number: number, SupplierID: o.SupplierID, DeliveryLocationID: o.DeliveryLocationID, ExpectedAt: o.ExpectedAt}
	for _, l := range o.Lines {
		po.Lines = append(po.Lines, OrderLine{ItemID: l.ItemID, SupplierSKU: l.SupplierSKU, Quantity: l.Quantity, UnitCost: l.UnitCost})
	}
	return NewPurchaseOrder(now, po)
}

// Request returns the proposed transfer as a request for [Book.RequestTransfer].
func (t ProposedTransfer) Request(id, number string) TransferRequest {
	req := TransferRequest{ID: id, Number: number, FromID: t.FromID, ToID: t.ToID}
	for _, l := range t.Lines {
		req.Lines = append(req.Lines, TransferLineInput{ItemID: l.ItemID, Quantity: l.Quantity})
	}
	return req
}

// Plan proposes what to transfer and what to buy so that every item×location
// with a policy is back at or above its reorder point. Deterministic: the
// same input gives the same proposal, keys included.
//
// Locations are planned from the leaves of the replenishment tree up: a truck
// asks its warehouse (its ReplenishFromID location), which ships what it has
// available, the most urgent truck first (the furthest below its reorder
// point) and every truck up to its reorder point before any up to its
// maximum. What the warehouse cannot ship is added to what the warehouse
// itself needs, and a location that replenishes from no other buys: from the
// policy's supplier, else the location's (a vendor's consignment stock), else
// the item's preferred supplier, else the cheapest supplier that sells the
// item (then the shortest lead time, then the lowest supplier id). Purchase
// lines are grouped per supplier and delivery location.
//
// Plan runs in O(n log n) for n policies, levels and demand statistics (O(n)
// when they come sorted), item by item, with memory for one item's locations
// besides its output.
func Plan(now time.Time, in PlanInput) (*Proposal, error) {
	p, err := newPlanner(now, &in)
	if err != nil {
		return nil, err
	}
	pols := sortedIndex(in.Policies, func(p *Policy) Key { return p.Key() })
	lvls := sortedIndex(in.Levels, func(l *Level) Key { return l.Key })
	dems := sortedIndex(in.Demand, func(d *DemandStats) Key { return d.Key })
	li, di := 0, 0
	for pi := 0; pi < len(pols); {
		item := in.Policies[pols[pi]].ItemID
		it, ok := p.items[item]
		if !ok {
			return nil, notFound("item", item)
		}
		p.reset(it)
		for ; pi < len(pols) && in.Policies[pols[pi]].ItemID == item; pi++ {
			pol := &in.Policies[pols[pi]]
			if err := pol.validate(); err != nil {
				return nil, within(fmt.Sprintf("policies.%d", pols[pi]), err)
			}
			s, err := p.slot(pol.LocationID)
			if err != nil {
				return nil, err
			}
			if s.pol != nil {
				return nil, invalid(fmt.Sprintf("policies.%d", pols[pi]), "a second policy for %s at %s", item, pol.LocationID)
			}
			s.pol = pol
		}
		for ; li < len(lvls) && in.Levels[lvls[li]].ItemID <= item; li++ {
			if l := &in.Levels[lvls[li]]; l.ItemID == item {
				if s, err := p.slot(l.LocationID); err == nil {
					s.lvl = l
				}
			}
		}
		for ; di < len(dems) && in.Demand[dems[di]].ItemID <= item; di++ {
			if d := &in.Demand[dems[di]]; d.ItemID == item {
				if s, err := p.slot(d.LocationID); err == nil {
					s.dem = d
				}
			}
		}
		p.planItem()
	}
	return p.proposal(), nil
}

// sortedIndex returns the indexes of xs in key order, checking first whether
// xs is already sorted.
func sortedIndex[T any](xs []T, key func(*T) Key) []int32 {
	idx := make([]int32, len(xs))
	for i := range idx {
		idx[i] = int32(i)
	}
	sorted := true
	for i := 1; i < len(xs) && sorted; i++ {
		sorted = !key(&xs[i]).less(key(&xs[i-1]))
	}
	if !sorted {
		slices.SortStableFunc(idx, func(a, b int32) int { return compareKeys(key(&xs[a]), key(&xs[b])) })
	}
	return idx
}

// planner holds the catalog and the output of one plan, and the working
// state of the item being planned.
type planner struct {
	now        time.Time
	items      map[string]*Item
	nodes      []node             // locations, deepest in the replenishment tree first
	rank       map[string]int     // location id → index in nodes
	offers     map[string][]offer // item id → who sells it, cheapest first
	transferLT LeadTime

	orders    map[[2]string]*ProposedOrder
	transfers map[[2]string]*ProposedTransfer
	unfilled  []Unfilled

	item    *Item
	slots   []slot
	touched []int
}

type node struct {
	loc    *Location
	parent int // index in nodes, or -1
}

type offer struct {
	sup  *Supplier
	line *SupplierItem
}

func (o offer) leadTime() LeadTime {
	if o.line.LeadTime != nil {
		return *o.line.LeadTime
	}
	return o.sup.LeadTime
}

// slot is one location of the item being planned.
type slot struct {
	active bool
	pol    *Policy
	lvl    *Level
	dem    *DemandStats

	requests []int           // children asking this location for stock
	out      decimal.Decimal // planned to ship to children
	extra    decimal.Decimal // children's needs this location could not ship
	shorts   []string        // which children, for the reasons

	// this location's own need, once decided
	position, trigger, need, must, multiple, granted decimal.Decimal
	why                                              string
}

// basePosition is the position the level shows, before this plan.
func (s *slot) basePosition() decimal.Decimal {
	if s.lvl == nil {
		return decimal.Zero
	}
	return s.lvl.Position()
}

func (s *slot) level() Level {
	if s.lvl != nil {
		return *s.lvl
	}
	return Level{}
}

func newPlanner(now time.Time, in *PlanInput) (*planner, error) {
	p := &planner{
		now: now, rank: map[string]int{},
		offers: map[string][]offer{},
		orders: map[[2]string]*ProposedOrder{}, transfers: map[[2]string]*ProposedTransfer{},
		transferLT: LeadTime{Days: one},
	}
	if in.TransferLeadTime != nil {
		p.transferLT = *in.TransferLeadTime
	}
	var err error
	if p.items, err = indexItems(in.Items); err != nil {
		return nil, err
	}
	locs, err := indexLocations(in.Locations)
	if err != nil {
		return nil, err
	}
	depth := func(l *Location) int {
		d := 0
		for ; l.ReplenishFromID != ""; d++ {
			l = locs[l.ReplenishFromID]
		}
		return d
	}
	for _, l := range locs {
		p.nodes = append(p.nodes, node{loc: l})
	}
	depths := make(map[string]int, len(locs))
	for _, n := range p.nodes {
		depths[n.loc.ID] = depth(n.loc)
	}
	slices.SortFunc(p.nodes, func(a, b node) int {
		if c := cmp.Compare(depths[b.loc.ID], depths[a.loc.ID]); c != 0 {
			return c
		}
		return cmp.Compare(a.loc.ID, b.loc.ID)
	})
	for i, n := range p.nodes {
		p.rank[n.loc.ID] = i
	}
	for i := range p.nodes {
		p.nodes[i].parent = -1
		if f := p.nodes[i].loc.ReplenishFromID; f != "" {
			p.nodes[i].parent = p.rank[f]
		}
	}
	p.slots = make([]slot, len(p.nodes))
	suppliers := make(map[string]bool, len(in.Suppliers))
	for i := range in.Suppliers {
		s := &in.Suppliers[i]
		if err := s.validate(); err != nil {
			return nil, within(fmt.Sprintf("suppliers.%d", i), err)
		}
		if _, dup := suppliers[s.ID]; dup {
			return nil, invalid(fmt.Sprintf("suppliers.%d.id", i), "duplicate supplier id %q", s.ID)
		}
		suppliers[s.ID] = true
		for j := range s.Items {
			p.offers[s.Items[j].ItemID] = append(p.offers[s.Items[j].ItemID], offer{s, &s.Items[j]})
		}
	}
	for _, os := range p.offers {
		slices.SortFunc(os, func(a, b offer) int {
			if c := a.line.UnitCost.Cmp(b.line.UnitCost); c != 0 {
				return c
			}
			if c := a.leadTime().Days.Cmp(b.leadTime().Days); c != 0 {
				return c
			}
			return cmp.Compare(a.sup.ID, b.sup.ID)
		})
	}
	return p, nil
}

// reset clears the working state for the next item.
func (p *planner) reset(it *Item) {
	for _, r := range p.touched {
		reqs := p.slots[r].requests[:0]
		p.slots[r] = slot{requests: reqs}
	}
	p.touched = p.touched[:0]
	p.item = it
}

// slot returns the working slot of a location for the current item.
func (p *planner) slot(locationID string) (*slot, error) {
	r, ok := p.rank[locationID]
	if !ok {
		return nil, notFound("location", locationID)
	}
	p.touch(r)
	return &p.slots[r], nil
}

func (p *planner) touch(r int) {
	if !p.slots[r].active {
		p.slots[r].active = true
		p.touched = append(p.touched, r)
	}
}

// planItem plans the current item at every location, deepest first.
func (p *planner) planItem() {
	slices.Sort(p.touched)
	for i := 0; i < len(p.touched); i++ { // touched grows as children ask their parents
		r := p.touched[i]
		s := &p.slots[r]
		if s.pol == nil && len(s.requests) == 0 {
			continue
		}
		n := len(p.touched)
		p.plan(r)
		if len(p.touched) > n { // a parent joined: keep the rest in order
			slices.Sort(p.touched[i+1:])
		}
	}
}

// plan decides one location: first what it ships to the children that asked,
// then what it needs itself, which it asks its parent for or buys.
func (p *planner) plan(r int) {
	s, n := &p.slots[r], p.nodes[r]
	if len(s.requests) > 0 {
		p.allocate(r)
	}
	s.position = sub(sub(s.basePosition(), s.out), s.extra)
	if s.pol != nil && s.pol.Kind == PolicyMinMax && s.position.Cmp(s.pol.Min) >= 0 {
		s.trigger = s.pol.Min // the common case, decided without allocating
		return
	}
	var of *offer
	lt, unitCost := p.transferLT, p.item.StandardCost
	if s.lvl != nil && !s.lvl.UnitCost.IsZero() {
		unitCost = s.lvl.UnitCost
	}
	if n.parent < 0 {
		of = p.supplier(s.pol, n.loc)
		lt = LeadTime{}
		if of != nil {
			lt, unitCost = of.leadTime(), of.line.UnitCost
		}
	}
	explain := func() string { return p.explain(r) }
	var d decision
	if s.pol != nil {
		d = s.pol.decide(s.position, s.dem, lt, unitCost, explain)
	}
	if s.pol == nil && s.position.Sign() < 0 { // no policy of its own: cover what the children are owed
		d = decision{raw: s.position.Neg(), must: s.position.Neg()}
		d.why = explain() + " is below zero: it must cover what it owes"
	}
	s.trigger = d.trigger
	if d.raw.Sign() <= 0 {
		return
	}
	s.multiple = p.item.step()
	if s.pol != nil {
		s.multiple = lcm(s.multiple, s.pol.Multiple)
	}
	if n.parent >= 0 {
		s.need = RoundUpToMultiple(d.raw, s.multiple)
		s.must = minDec(RoundUpToMultiple(d.must, s.multiple), s.need)
		s.why = d.why
		if !s.need.Equal(d.raw) {
			s.why += fmt.Sprintf(", rounded up to a multiple of %s: %s", fmtQ(s.multiple), fmtQ(s.need))
		}
		parent := &p.slots[n.parent]
		p.touch(n.parent)
		parent.requests = append(parent.requests, r)
		return
	}
	if of == nil {
		p.unfilled = append(p.unfilled, Unfilled{
			Key: stableKey("unfilled", n.loc.ID, p.item.ID), ItemID: p.item.ID, LocationID: n.loc.ID, Quantity: d.raw,
			Reason: d.why + "; no supplier sells " + p.item.ID,
		})
		return
	}
	p.buy(r, of, d, lt)
}

// supplier chooses who a root location buys the item from.
func (p *planner) supplier(pol *Policy, loc *Location) *offer {
	os := p.offers[p.item.ID]
	for _, want := range []string{policySupplier(pol), loc.SupplierID, p.item.PreferredSupplierID} {
		if want == "" {
			continue
		}
		for i := range os {
			if os[i].sup.ID == want {
				return &os[i]
			}
		}
	}
	if len(os) == 0 || loc.Type == VendorConsignment {
		return nil
	}
	return &os[0]
}

func policySupplier(pol *Policy) string {
	if pol == nil {
		return ""
	}
	return pol.SupplierID
}

// buy adds a purchase line for a root location's need.
func (p *planner) buy(r int, of *offer, d decision, lt LeadTime) {
	s, loc := &p.slots[r], p.nodes[r].loc
	m := lcm(s.multiple, of.line.PackSize)
	q := d.raw
	why := d.why
	if q.Cmp(of.line.MinOrder) < 0 {
		q = of.line.MinOrder
		why += fmt.Sprintf(", raised to the supplier's minimum order %s", fmtQ(q))
	}
	if rq := RoundUpToMultiple(q, m); !rq.Equal(q) {
		q = rq
		why += fmt.Sprintf(", rounded up to a multiple of %s: %s", fmtQ(m), fmtQ(q))
	}
	gk := [2]string{of.sup.ID, loc.ID}
	o := p.orders[gk]
	if o == nil {
		o = &ProposedOrder{Key: stableKey("po", of.sup.ID, loc.ID), SupplierID: of.sup.ID, DeliveryLocationID: loc.ID, ExpectedAt: p.now}
		p.orders[gk] = o
	}
	if at := p.now.Add(days(lt.Days)); at.After(o.ExpectedAt) {
		o.ExpectedAt = at
	}
	o.Lines = append(o.Lines, ProposedLine{
		Key: stableKey("po", of.sup.ID, loc.ID, p.item.ID), ItemID: p.item.ID, Quantity: q, UnitCost: of.line.UnitCost,
		SupplierSKU: of.line.SupplierSKU, Position: s.position, ReorderPoint: s.trigger,
		Reason: fmt.Sprintf("buy %s from %s for %s: %s", fmtQ(q), of.sup.ID, loc.ID, why),
	})
}

// allocate ships what location r has available to the children that asked:
// first every child up to its reorder point, then up to its full need, the
// most urgent child first; whatever it cannot ship it owes.
func (p *planner) allocate(r int) {
	s := &p.slots[r]
	lvl := s.level()
	avail := maxDec(lvl.Available(), decimal.Zero)
	kids := s.requests
	slices.SortFunc(kids, func(a, b int) int {
		// most below its reorder point first
		da := p.slots[a].position.Sub(p.slots[a].trigger)
		db := p.slots[b].position.Sub(p.slots[b].trigger)
		if c := da.Cmp(db); c != 0 {
			return c
		}
		return cmp.Compare(p.nodes[a].loc.ID, p.nodes[b].loc.ID)
	})
	for pass := range 2 {
		for _, k := range kids {
			c := &p.slots[k]
			want := c.need.Sub(c.granted)
			if pass == 0 {
				want = c.must.Sub(c.granted)
			}
			g := minDec(want, roundDownToMultiple(avail, c.multiple))
			if g.Sign() > 0 {
				c.granted = c.granted.Add(g)
				avail = avail.Sub(g)
			}
		}
	}
	from := p.nodes[r].loc.ID
	slices.Sort(kids) // lines and reasons in location order
	for _, k := range kids {
		c, to := &p.slots[k], p.nodes[k].loc.ID
		if c.granted.Sign() > 0 {
			s.out = s.out.Add(c.granted)
			why := c.why
			if c.granted.Cmp(c.need) < 0 {
				why += fmt.Sprintf("; %s can ship only %s now", from, fmtQ(c.granted))
			}
			gk := [2]string{from, to}
			t := p.transfers[gk]
			if t == nil {
				t = &ProposedTransfer{Key: stableKey("transfer", from, to), FromID: from, ToID: to}
				p.transfers[gk] = t
			}
			t.Lines = append(t.Lines, ProposedLine{
				Key: stableKey("transfer", from, to, p.item.ID), ItemID: p.item.ID, Quantity: c.granted, UnitCost: lvl.UnitCost,
				Position: c.position, ReorderPoint: c.trigger,
				Reason: fmt.Sprintf("refill %s %s from %s: %s", to, fmtQ(c.granted), from, why),
			})
		}
		if short := c.need.Sub(c.granted); short.Sign() > 0 {
			s.extra = s.extra.Add(short)
			s.shorts = append(s.shorts, fmt.Sprintf("%s (%s)", to, fmtQ(short)))
		}
	}
}

// explain spells out the position of location r.
func (p *planner) explain(r int) string {
	s := &p.slots[r]
	lvl := s.level()
	var b strings.Builder
	fmt.Fprintf(&b, "position %s (on hand %s + on order %s + in transit %s − reserved %s",
		fmtQ(s.position), fmtQ(lvl.OnHand), fmtQ(lvl.OnOrder), fmtQ(lvl.InTransit), fmtQ(lvl.Reserved))
	if s.out.Sign() > 0 {
		fmt.Fprintf(&b, " − %s shipped to %s", fmtQ(s.out), p.childNames(r))
	}
	if s.extra.Sign() > 0 {
		fmt.Fprintf(&b, " − %s owed to %s", fmtQ(s.extra), strings.Join(s.shorts, ", "))
	}
	b.WriteString(")")
	return b.String()
}

func (p *planner) childNames(r int) string {
	var names []string
	for _, k := range p.slots[r].requests {
		if p.slots[k].granted.Sign() > 0 {
			names = append(names, p.nodes[k].loc.ID)
		}
	}
	return strings.Join(names, ", ")
}

// proposal assembles the output in a stable order.
func (p *planner) proposal() *Proposal {
	out := &Proposal{At: p.now, Transfers: []ProposedTransfer{}, Orders: []ProposedOrder{}, Unfilled: p.unfilled}
	for _, t := range p.transfers {
		out.Transfers = append(out.Transfers, *t)
	}
	slices.SortFunc(out.Transfers, func(a, b ProposedTransfer) int {
		return cmp.Or(cmp.Compare(a.FromID, b.FromID), cmp.Compare(a.ToID, b.ToID))
	})
	for _, o := range p.orders {
		out.Orders = append(out.Orders, *o)
	}
	slices.SortFunc(out.Orders, func(a, b ProposedOrder) int {
		return cmp.Or(cmp.Compare(a.SupplierID, b.SupplierID), cmp.Compare(a.DeliveryLocationID, b.DeliveryLocationID))
	})
	if out.Unfilled == nil {
		out.Unfilled = []Unfilled{}
	}
	return out
}

// stableKey joins a kind and ids into a key no other ids can give: ':' and
// '%' inside an id are percent-escaped.
func stableKey(kind string, ids ...string) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, id := range ids {
		b.WriteByte(':')
		for i := 0; i < len(id); i++ {
			switch c := id[i]; c {
			case ':':
				b.WriteString("%3A")
			case '%':
				b.WriteString("%25")
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// days converts a decimal number of days to a duration, to the second.
func days(d decimal.Decimal) time.Duration {
	return time.Duration(d.Mul(decimal.New(86400, 0)).Ceil().IntPart()) * time.Second
}
