package contractorops

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/invopop/validation"
)

// ComplianceRecord is the organization's compliance settings and state: its
// policy, the last block or unblock, and the status computed when its facts
// last changed (a license, a policy, the block) or at the last refresh.
// There is one per organization; its id is the organization's.
type ComplianceRecord struct {
	Meta
	Policy CompliancePolicy  `json:"policy"`
	Block  ComplianceBlock   `json:"block"`
	Status *ComplianceStatus `json:"status,omitempty"`
}

var complianceTable = table[ComplianceRecord]{
	spec: TableSpec{Name: "contractor_compliance"},
	keys: func(*ComplianceRecord) map[string]string { return nil },
}

// loadComplianceRecord returns the organization's compliance record, a new
// one (not stored yet, Version 0) if it has none.
func loadComplianceRecord(t *txn) (*ComplianceRecord, error) {
	rec, err := load(t, complianceTable, t.org)
	if errors.Is(err, ErrNotFound) {
		return &ComplianceRecord{Meta: Meta{ID: t.org}}, nil
	}
	return rec, err
}

// loadComplianceFacts reads everything the organization's compliance is
// computed from.
func loadComplianceFacts(t *txn) (*ComplianceFacts, *ComplianceRecord, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, nil, err
	}
	rec, err := loadComplianceRecord(t)
	if err != nil {
		return nil, nil, err
	}
	licenses, err := all(t, licensesTable, Query{})
	if err != nil {
		return nil, nil, err
	}
	policies, err := all(t, insuranceTable, Query{})
	if err != nil {
		return nil, nil, err
	}
	f := &ComplianceFacts{
		Licenses: *licenses, Insurance: *policies, W9OnFile: org.Profile.W9OnFile,
		Policy: rec.Policy, Block: rec.Block, Location: t.e.location(org.TimeZone),
	}
	return f, rec, nil
}

// complianceGate is the scheduling gate for code that assigns or schedules
// work (dispatch, visits): it returns nil when the contractor may be
// scheduled for work with req at the instant at, and the technician (when
// technicianID is not empty) holds the certifications it needs, valid then.
// Otherwise it returns the LICENSE_INVALID, INSURANCE_INVALID or FORBIDDEN
// (blocked) *Error of [ComplianceFacts.CheckWork]. To check many pieces of
// work in one transaction, load the facts once with loadComplianceFacts and
// call CheckWork for each.
func complianceGate(t *txn, at time.Time, req WorkRequirements, technicianID string) error {
	f, _, err := loadComplianceFacts(t)
	if err != nil {
		return err
	}
	var tech *Technician
	if technicianID != "" {
		if tech, err = load(t, techniciansTable, technicianID); err != nil {
			return err
		}
	}
	return f.CheckWork(at, req, tech)
}

// saveCompliance recomputes the organization's compliance at the time of
// the transaction, stores it in the record with the record's other changes
// (made by change, which may be nil) and returns it.
func saveCompliance(t *txn, change func(*ComplianceRecord)) (*ComplianceStatus, error) {
	f, rec, err := loadComplianceFacts(t)
	if err != nil {
		return nil, err
	}
	if change != nil {
		change(rec)
		f.Policy, f.Block = rec.Policy, rec.Block
	}
	s := f.Evaluate(t.now)
	rec.Status = &s
	if err := publishCompliance(t, &s); err != nil {
		return nil, err
	}
	if rec.Version == 0 {
		return &s, insert(t, complianceTable, rec)
	}
	return &s, update(t, complianceTable, rec)
}

// ComplianceAtInput asks for the compliance status at an instant; zero
// means now.
type ComplianceAtInput struct {
	At time.Time `json:"at,omitzero"`
}

// Validate checks the input.
func (ComplianceAtInput) Validate() error { return nil }

// BlockInput blocks or unblocks the contractor, with the reason.
type BlockInput struct {
	Reason string `json:"reason"`
}

// Validate checks the input.
func (in BlockInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.Reason, validation.Required, validation.Length(1, 1000)))
}

// CheckWorkInput asks whether work with Requirements may be scheduled at At
// (zero: now), for the technician when TechnicianID is set.
type CheckWorkInput struct {
	At           time.Time `json:"at,omitzero"`
	TechnicianID string    `json:"technicianId,omitempty"`
	WorkRequirements
}

// Validate checks the input.
func (in CheckWorkInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.TechnicianID, validation.Length(0, 100)),
		validation.Field(&in.Trades, validation.Each(validation.In(TradeTypes()...))),
		validation.Field(&in.Certifications, validation.Length(0, 50), validation.Each(validation.Required, validation.Length(1, 200))),
	)
}

// WorkCheck is the answer of the compliance gate: allowed, or the code and
// message the scheduling would fail with.
type WorkCheck struct {
	Allowed bool   `json:"allowed"`
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// ContractorService manages the contractor's identity and compliance:
// branches, trades, licenses, insurance, service areas, and the compliance
// status computed from them.
type ContractorService struct {
	createBranch proc[BranchInput, Branch]
	updateBranch proc[UpdateBranchInput, Branch]
	getBranch    proc[IDInput, Branch]
	listBranches proc[ListOptions, []Branch]

	setTrade    proc[TradeInput, ContractorTrade]
	removeTrade proc[TradeRefInput, ContractorTrade]
	listTrades  proc[NoInput, []ContractorTrade]

	addLicense    proc[LicenseInput, License]
	updateLicense proc[UpdateLicenseInput, License]
	verifyLicense proc[IDInput, License]
	removeLicense proc[IDInput, License]
	listLicenses  proc[NoInput, []License]

	addInsurance    proc[InsuranceInput, InsurancePolicy]
	updateInsurance proc[UpdateInsuranceInput, InsurancePolicy]
	verifyInsurance proc[IDInput, InsurancePolicy]
	removeInsurance proc[IDInput, InsurancePolicy]
	listInsurance   proc[NoInput, []InsurancePolicy]

	createServiceArea proc[ServiceAreaInput, ServiceArea]
	updateServiceArea proc[UpdateServiceAreaInput, ServiceArea]
	listServiceAreas  proc[ListOptions, []ServiceArea]

	getCompliance        proc[ComplianceAtInput, ComplianceStatus]
	checkWork            proc[CheckWorkInput, WorkCheck]
	refreshCompliance    proc[NoInput, ComplianceStatus]
	setBlock, clearBlock proc[BlockInput, ComplianceStatus]
	setCompliancePolicy  proc[CompliancePolicy, ComplianceRecord]
}

// CreateBranch adds a branch. The organization's first branch is primary.
func (s *ContractorService) CreateBranch(ctx context.Context, scope Scope, key string, in BranchInput) (*Branch, error) {
	return s.createBranch.do(ctx, scope, key, in)
}

// UpdateBranch changes a branch; Active false archives it.
func (s *ContractorService) UpdateBranch(ctx context.Context, scope Scope, key string, in UpdateBranchInput) (*Branch, error) {
	return s.updateBranch.do(ctx, scope, key, in)
}

// GetBranch reads a branch.
func (s *ContractorService) GetBranch(ctx context.Context, scope Scope, id string) (*Branch, error) {
	return s.getBranch.get(ctx, scope, IDInput{ID: id})
}

// ListBranches lists the branches by name.
func (s *ContractorService) ListBranches(ctx context.Context, scope Scope, in ListOptions) ([]Branch, error) {
	return deref(s.listBranches.get(ctx, scope, in))
}

// SetTrade adds a trade to the contractor or changes it.
func (s *ContractorService) SetTrade(ctx context.Context, scope Scope, key string, in TradeInput) (*ContractorTrade, error) {
	return s.setTrade.do(ctx, scope, key, in)
}

// RemoveTrade removes a trade from the contractor.
func (s *ContractorService) RemoveTrade(ctx context.Context, scope Scope, key string, trade TradeType) (*ContractorTrade, error) {
	return s.removeTrade.do(ctx, scope, key, TradeRefInput{Trade: trade})
}

// ListTrades lists the contractor's trades.
func (s *ContractorService) ListTrades(ctx context.Context, scope Scope) ([]ContractorTrade, error) {
	return deref(s.listTrades.get(ctx, scope, NoInput{}))
}

// AddLicense records a license.
func (s *ContractorService) AddLicense(ctx context.Context, scope Scope, key string, in LicenseInput) (*License, error) {
	return s.addLicense.do(ctx, scope, key, in)
}

// UpdateLicense changes a license (a renewal, a status reported by the
// issuer).
func (s *ContractorService) UpdateLicense(ctx context.Context, scope Scope, key string, in UpdateLicenseInput) (*License, error) {
	return s.updateLicense.do(ctx, scope, key, in)
}

// VerifyLicense records that the caller verified the license with its
// issuer.
func (s *ContractorService) VerifyLicense(ctx context.Context, scope Scope, key, id string) (*License, error) {
	return s.verifyLicense.do(ctx, scope, key, IDInput{ID: id})
}

// RemoveLicense deletes a license recorded by mistake (a lapsed license is
// updated, not removed: its history stays).
func (s *ContractorService) RemoveLicense(ctx context.Context, scope Scope, key, id string) (*License, error) {
	return s.removeLicense.do(ctx, scope, key, IDInput{ID: id})
}

// ListLicenses lists the licenses.
func (s *ContractorService) ListLicenses(ctx context.Context, scope Scope) ([]License, error) {
	return deref(s.listLicenses.get(ctx, scope, NoInput{}))
}

// AddInsurance records an insurance policy.
func (s *ContractorService) AddInsurance(ctx context.Context, scope Scope, key string, in InsuranceInput) (*InsurancePolicy, error) {
	return s.addInsurance.do(ctx, scope, key, in)
}

// UpdateInsurance changes an insurance policy.
func (s *ContractorService) UpdateInsurance(ctx context.Context, scope Scope, key string, in UpdateInsuranceInput) (*InsurancePolicy, error) {
	return s.updateInsurance.do(ctx, scope, key, in)
}

// VerifyInsurance records that the caller verified the policy with its
// carrier; a policy PENDING_VERIFICATION becomes ACTIVE.
func (s *ContractorService) VerifyInsurance(ctx context.Context, scope Scope, key, id string) (*InsurancePolicy, error) {
	return s.verifyInsurance.do(ctx, scope, key, IDInput{ID: id})
}

// RemoveInsurance deletes a policy recorded by mistake.
func (s *ContractorService) RemoveInsurance(ctx context.Context, scope Scope, key, id string) (*InsurancePolicy, error) {
	return s.removeInsurance.do(ctx, scope, key, IDInput{ID: id})
}

// ListInsurance lists the insurance policies.
func (s *ContractorService) ListInsurance(ctx context.Context, scope Scope) ([]InsurancePolicy, error) {
	return deref(s.listInsurance.get(ctx, scope, NoInput{}))
}

// CreateServiceArea adds a service area.
func (s *ContractorService) CreateServiceArea(ctx context.Context, scope Scope, key string, in ServiceAreaInput) (*ServiceArea, error) {
	return s.createServiceArea.do(ctx, scope, key, in)
}

// UpdateServiceArea changes a service area; Active false retires it.
func (s *ContractorService) UpdateServiceArea(ctx context.Context, scope Scope, key string, in UpdateServiceAreaInput) (*ServiceArea, error) {
	return s.updateServiceArea.do(ctx, scope, key, in)
}

// ListServiceAreas lists the service areas by name.
func (s *ContractorService) ListServiceAreas(ctx context.Context, scope Scope, in ListOptions) ([]ServiceArea, error) {
	return deref(s.listServiceAreas.get(ctx, scope, in))
}

// GetCompliance computes the compliance status at in.At (zero: now).
func (s *ContractorService) GetCompliance(ctx context.Context, scope Scope, in ComplianceAtInput) (*ComplianceStatus, error) {
	return s.getCompliance.get(ctx, scope, in)
}

// CheckWork runs the compliance gate that dispatch and scheduling apply:
// may the contractor, and the technician if given, be scheduled for work
// with these requirements at that time?
func (s *ContractorService) CheckWork(ctx context.Context, scope Scope, in CheckWorkInput) (*WorkCheck, error) {
	return s.checkWork.get(ctx, scope, in)
}

// RefreshCompliance recomputes the compliance status now and stores it in
// the compliance record (a host runs it daily, so that expiries show in the
// stored status and the change feed).
func (s *ContractorService) RefreshCompliance(ctx context.Context, scope Scope, key string) (*ComplianceStatus, error) {
	return s.refreshCompliance.do(ctx, scope, key, NoInput{})
}

// SetBlock blocks the contractor from scheduling, whatever its documents
// say, with the reason.
func (s *ContractorService) SetBlock(ctx context.Context, scope Scope, key, reason string) (*ComplianceStatus, error) {
	return s.setBlock.do(ctx, scope, key, BlockInput{Reason: reason})
}

// ClearBlock lifts a block, with the reason.
func (s *ContractorService) ClearBlock(ctx context.Context, scope Scope, key, reason string) (*ComplianceStatus, error) {
	return s.clearBlock.do(ctx, scope, key, BlockInput{Reason: reason})
}

// SetCompliancePolicy replaces the organization's compliance policy.
func (s *ContractorService) SetCompliancePolicy(ctx context.Context, scope Scope, key string, in CompliancePolicy) (*ComplianceRecord, error) {
	return s.setCompliancePolicy.do(ctx, scope, key, in)
}

// deref returns the list a query returned.
func deref[T any](out *[]T, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return *out, nil
}

func (e *Engine) registerContractor() {
	e.Contractor = &ContractorService{
		createBranch: mutation(e, "contractor/v1/createBranch", "Add a branch.", rolesManage(),
			func(c *call, in *BranchInput) (*Branch, error) {
				return inTx(c, "create-branch", func(t *txn) (*Branch, error) {
					b := &Branch{Meta: Meta{ID: c.e.newID()}, Active: true}
					in.apply(b)
					first, err := find(t, branchesTable, Query{Limit: 1})
					if err != nil {
						return nil, err
					}
					b.Primary = in.Primary || len(first) == 0
					return b, saveBranch(t, b, insert[Branch])
				})
			}),
		updateBranch: mutation(e, "contractor/v1/updateBranch", "Change or archive a branch.", rolesManage(),
			func(c *call, in *UpdateBranchInput) (*Branch, error) {
				return inTx(c, "update-branch", func(t *txn) (*Branch, error) {
					b, err := loadBranch(t, in.ID)
					if err != nil {
						return nil, err
					}
					in.apply(b)
					b.Primary = b.Primary || in.Primary
					if in.Active != nil {
						b.Active = *in.Active
					}
					if b.Primary && !b.Active {
						return nil, fieldError(CodeValidationFailed, "active", "validation_primary", "the primary branch cannot be archived; make another branch primary first")
					}
					return b, saveBranch(t, b, update[Branch])
				})
			}),
		getBranch: query(e, "contractor/v1/getBranch", "Read a branch.", rolesReaders(),
			func(c *call, in *IDInput) (*Branch, error) {
				return inTx(c, "get-branch", func(t *txn) (*Branch, error) { return loadBranch(t, in.ID) })
			}),
		listBranches: query(e, "contractor/v1/listBranches", "List the branches by name.", rolesReaders(),
			func(c *call, in *ListOptions) (*[]Branch, error) {
				return inTx(c, "list-branches", func(t *txn) (*[]Branch, error) { return all(t, branchesTable, in.query()) })
			}),

		setTrade: mutation(e, "contractor/v1/setTrade", "Add a trade to the contractor, or change it.", rolesManage(),
			func(c *call, in *TradeInput) (*ContractorTrade, error) {
				return inTx(c, "set-trade", func(t *txn) (*ContractorTrade, error) {
					found, err := find(t, tradesTable, Query{Where: []Cond{Eq("trade", string(in.Trade))}})
					if err != nil {
						return nil, err
					}
					save, tr := update[ContractorTrade], &ContractorTrade{Meta: Meta{ID: c.e.newID()}}
					if len(found) == 0 {
						save = insert[ContractorTrade]
					} else {
						tr = found[0]
					}
					tr.Trade, tr.Primary, tr.YearsExperience, tr.Description = in.Trade, in.Primary, in.YearsExperience, in.Description
					if tr.Primary {
						if err := makePrimary(t, tradesTable, tr.ID, func(o *ContractorTrade) *bool { return &o.Primary }); err != nil {
							return nil, err
						}
					}
					return tr, save(t, tradesTable, tr)
				})
			}),
		removeTrade: mutation(e, "contractor/v1/removeTrade", "Remove a trade from the contractor.", rolesManage(),
			func(c *call, in *TradeRefInput) (*ContractorTrade, error) {
				return inTx(c, "remove-trade", func(t *txn) (*ContractorTrade, error) {
					found, err := find(t, tradesTable, Query{Where: []Cond{Eq("trade", string(in.Trade))}})
					if err != nil {
						return nil, err
					}
					if len(found) == 0 {
						return nil, NewError(CodeNotFound, "the contractor has no trade %s", in.Trade)
					}
					return found[0], remove(t, tradesTable, found[0])
				})
			}),
		listTrades: query(e, "contractor/v1/listTrades", "List the contractor's trades.", rolesReaders(),
			func(c *call, _ *NoInput) (*[]ContractorTrade, error) {
				return inTx(c, "list-trades", func(t *txn) (*[]ContractorTrade, error) {
					return all(t, tradesTable, Query{OrderBy: "trade"})
				})
			}),

		addLicense: mutation(e, "contractor/v1/addLicense", "Record a license.", rolesManage(),
			func(c *call, in *LicenseInput) (*License, error) {
				return inTx(c, "add-license", func(t *txn) (*License, error) {
					l := &License{Meta: Meta{ID: c.e.newID()}}
					in.apply(l)
					return l, saveLicense(t, l, insert[License])
				})
			}),
		updateLicense: mutation(e, "contractor/v1/updateLicense", "Change a license.", rolesManage(),
			func(c *call, in *UpdateLicenseInput) (*License, error) {
				return inTx(c, "update-license", func(t *txn) (*License, error) {
					l, err := load(t, licensesTable, in.ID)
					if err != nil {
						return nil, err
					}
					before := *l
					in.apply(l)
					if l.Number != before.Number || l.IssuingAuthority != before.IssuingAuthority || !l.IssuedAt.Equal(before.IssuedAt) || !l.ExpiresAt.Equal(before.ExpiresAt) {
						l.VerifiedAt, l.VerifiedBy = time.Time{}, ""
					}
					return l, saveLicense(t, l, update[License])
				})
			}),
		verifyLicense: mutation(e, "contractor/v1/verifyLicense", "Record that the license was verified with its issuer.", rolesManage(),
			func(c *call, in *IDInput) (*License, error) {
				return inTx(c, "verify-license", func(t *txn) (*License, error) {
					l, err := load(t, licensesTable, in.ID)
					if err != nil {
						return nil, err
					}
					l.VerifiedAt, l.VerifiedBy = t.now, c.scope.Actor.ID
					return l, saveLicense(t, l, update[License])
				})
			}),
		removeLicense: mutation(e, "contractor/v1/removeLicense", "Delete a license recorded by mistake.", rolesManage(),
			func(c *call, in *IDInput) (*License, error) {
				return inTx(c, "remove-license", func(t *txn) (*License, error) {
					l, err := removeByID(t, licensesTable, in.ID)
					if err != nil {
						return nil, err
					}
					_, err = saveCompliance(t, nil)
					return l, err
				})
			}),
		listLicenses: query(e, "contractor/v1/listLicenses", "List the licenses.", rolesReaders(),
			func(c *call, _ *NoInput) (*[]License, error) {
				return inTx(c, "list-licenses", func(t *txn) (*[]License, error) { return all(t, licensesTable, Query{}) })
			}),

		addInsurance: mutation(e, "contractor/v1/addInsurance", "Record an insurance policy.", rolesManage(),
			func(c *call, in *InsuranceInput) (*InsurancePolicy, error) {
				return inTx(c, "add-insurance", func(t *txn) (*InsurancePolicy, error) {
					p := &InsurancePolicy{Meta: Meta{ID: c.e.newID()}}
					in.apply(p)
					return p, saveInsurance(t, p, insert[InsurancePolicy])
				})
			}),
		updateInsurance: mutation(e, "contractor/v1/updateInsurance", "Change an insurance policy.", rolesManage(),
			func(c *call, in *UpdateInsuranceInput) (*InsurancePolicy, error) {
				return inTx(c, "update-insurance", func(t *txn) (*InsurancePolicy, error) {
					p, err := load(t, insuranceTable, in.ID)
					if err != nil {
						return nil, err
					}
					before := *p
					in.apply(p)
					if p.PolicyNumber != before.PolicyNumber || p.Carrier != before.Carrier || !p.CoverageAmount.Equal(before.CoverageAmount) ||
						!p.EffectiveAt.Equal(before.EffectiveAt) || !p.ExpiresAt.Equal(before.ExpiresAt) {
						p.VerifiedAt, p.VerifiedBy = time.Time{}, ""
					}
					return p, saveInsurance(t, p, update[InsurancePolicy])
				})
			}),
		verifyInsurance: mutation(e, "contractor/v1/verifyInsurance", "Record that the policy was verified with its carrier.", rolesManage(),
			func(c *call, in *IDInput) (*InsurancePolicy, error) {
				return inTx(c, "verify-insurance", func(t *txn) (*InsurancePolicy, error) {
					p, err := load(t, insuranceTable, in.ID)
					if err != nil {
						return nil, err
					}
					p.VerifiedAt, p.VerifiedBy = t.now, c.scope.Actor.ID
					if p.Status == InsurancePendingVerification {
						p.Status = InsuranceActive
					}
					return p, saveInsurance(t, p, update[InsurancePolicy])
				})
			}),
		removeInsurance: mutation(e, "contractor/v1/removeInsurance", "Delete an insurance policy recorded by mistake.", rolesManage(),
			func(c *call, in *IDInput) (*InsurancePolicy, error) {
				return inTx(c, "remove-insurance", func(t *txn) (*InsurancePolicy, error) {
					p, err := removeByID(t, insuranceTable, in.ID)
					if err != nil {
						return nil, err
					}
					_, err = saveCompliance(t, nil)
					return p, err
				})
			}),
		listInsurance: query(e, "contractor/v1/listInsurance", "List the insurance policies.", rolesReaders(),
			func(c *call, _ *NoInput) (*[]InsurancePolicy, error) {
				return inTx(c, "list-insurance", func(t *txn) (*[]InsurancePolicy, error) { return all(t, insuranceTable, Query{}) })
			}),

		createServiceArea: mutation(e, "contractor/v1/createServiceArea", "Add a service area.", rolesManage(),
			func(c *call, in *ServiceAreaInput) (*ServiceArea, error) {
				return inTx(c, "create-service-area", func(t *txn) (*ServiceArea, error) {
					a := &ServiceArea{Meta: Meta{ID: c.e.newID()}, Active: true}
					in.apply(a)
					return a, insert(t, serviceAreasTable, a)
				})
			}),
		updateServiceArea: mutation(e, "contractor/v1/updateServiceArea", "Change or retire a service area.", rolesManage(),
			func(c *call, in *UpdateServiceAreaInput) (*ServiceArea, error) {
				return inTx(c, "update-service-area", func(t *txn) (*ServiceArea, error) {
					return modify(t, serviceAreasTable, in.ID, func(a *ServiceArea) error {
						in.apply(a)
						if in.Active != nil {
							a.Active = *in.Active
						}
						return nil
					})
				})
			}),
		listServiceAreas: query(e, "contractor/v1/listServiceAreas", "List the service areas by name.", rolesReaders(),
			func(c *call, in *ListOptions) (*[]ServiceArea, error) {
				return inTx(c, "list-service-areas", func(t *txn) (*[]ServiceArea, error) { return all(t, serviceAreasTable, in.query()) })
			}),

		getCompliance: query(e, "contractor/v1/getCompliance", "Compute the compliance status at an instant (default now).", rolesReaders(),
			func(c *call, in *ComplianceAtInput) (*ComplianceStatus, error) {
				return inTx(c, "get-compliance", func(t *txn) (*ComplianceStatus, error) {
					f, _, err := loadComplianceFacts(t)
					if err != nil {
						return nil, err
					}
					at := in.At
					if at.IsZero() {
						at = t.now
					}
					s := f.Evaluate(at)
					return &s, nil
				})
			}),
		checkWork: query(e, "contractor/v1/checkWork", "Check whether work may be scheduled for the contractor and a technician at an instant.", rolesReaders(),
			func(c *call, in *CheckWorkInput) (*WorkCheck, error) {
				return inTx(c, "check-work", func(t *txn) (*WorkCheck, error) {
					at := in.At
					if at.IsZero() {
						at = t.now
					}
					if err := complianceGate(t, at, in.WorkRequirements, in.TechnicianID); err != nil {
						// The gate's refusals are the answer; anything else
						// (an unknown technician) is the query's error.
						if ee := AsError(err); ee.Type == TypeDomain {
							return &WorkCheck{Code: ee.Code, Message: ee.Message}, nil
						}
						return nil, err
					}
					return &WorkCheck{Allowed: true}, nil
				})
			}),
		refreshCompliance: mutation(e, "contractor/v1/refreshCompliance", "Recompute the compliance status now and store it.", rolesManage(),
			func(c *call, _ *NoInput) (*ComplianceStatus, error) {
				return inTx(c, "refresh-compliance", func(t *txn) (*ComplianceStatus, error) { return saveCompliance(t, nil) })
			}),
		setBlock: mutation(e, "contractor/v1/setBlock", "Block the contractor from scheduling, with the reason.", rolesAdmin(),
			func(c *call, in *BlockInput) (*ComplianceStatus, error) {
				return inTx(c, "set-block", func(t *txn) (*ComplianceStatus, error) {
					return saveCompliance(t, func(r *ComplianceRecord) {
						r.Block = ComplianceBlock{Blocked: true, Reason: in.Reason, By: c.scope.Actor.ID, ByKind: c.scope.Actor.Kind, At: t.now}
					})
				})
			}),
		clearBlock: mutation(e, "contractor/v1/clearBlock", "Lift the block on the contractor, with the reason.", rolesAdmin(),
			func(c *call, in *BlockInput) (*ComplianceStatus, error) {
				return inTx(c, "clear-block", func(t *txn) (*ComplianceStatus, error) {
					return saveCompliance(t, func(r *ComplianceRecord) {
						if r.Block.Blocked {
							r.Block = ComplianceBlock{Reason: in.Reason, By: c.scope.Actor.ID, ByKind: c.scope.Actor.Kind, At: t.now}
						}
					})
				})
			}),
		setCompliancePolicy: mutation(e, "contractor/v1/setCompliancePolicy", "Replace the organization's compliance policy.", rolesAdmin(),
			func(c *call, in *CompliancePolicy) (*ComplianceRecord, error) {
				return inTx(c, "set-compliance-policy", func(t *txn) (*ComplianceRecord, error) {
					var rec *ComplianceRecord
					_, err := saveCompliance(t, func(r *ComplianceRecord) { r.Policy, rec = *in, r })
					return rec, err
				})
			}),
	}
}

// query returns the store query of a list by name.
func (o ListOptions) query() Query {
	q := Query{OrderBy: "name"}
	if !o.IncludeInactive {
		q.Where = []Cond{Eq("active", "true")}
	}
	return q
}

// loadBranch reads a branch ("branch X not found" when there is none).
func loadBranch(t *txn, id string) (*Branch, error) {
	b, err := load(t, branchesTable, id)
	if errors.Is(err, ErrNotFound) {
		return nil, NewError(CodeNotFound, "branch %s not found", id)
	}
	return b, err
}

// saveBranch stores a branch (with insert or update) after checking that
// its code is free, and makes it the only primary branch if it is primary.
func saveBranch(t *txn, b *Branch, save func(*txn, table[Branch], *Branch) error) error {
	if err := ensureUnique(t, branchesTable, b.ID, "a branch with code "+b.Code, Eq("code", b.Code)); err != nil {
		return err
	}
	if b.Primary {
		if err := makePrimary(t, branchesTable, b.ID, func(o *Branch) *bool { return &o.Primary }); err != nil {
			return err
		}
	}
	return save(t, branchesTable, b)
}

// saveLicense stores a license after checking that its number is free at
// its authority, and updates the stored compliance status.
func saveLicense(t *txn, l *License, save func(*txn, table[License], *License) error) error {
	if err := ensureUnique(t, licensesTable, l.ID, "license "+l.Number+" of "+l.IssuingAuthority,
		Eq("authority", strings.ToLower(l.IssuingAuthority)), Eq("number", strings.ToUpper(l.Number))); err != nil {
		return err
	}
	if err := save(t, licensesTable, l); err != nil {
		return err
	}
	_, err := saveCompliance(t, nil)
	return err
}

// saveInsurance stores a policy after checking that its number is free at
// its carrier, and updates the stored compliance status.
func saveInsurance(t *txn, p *InsurancePolicy, save func(*txn, table[InsurancePolicy], *InsurancePolicy) error) error {
	if err := ensureUnique(t, insuranceTable, p.ID, "policy "+p.PolicyNumber+" of "+p.Carrier,
		Eq("carrier", strings.ToLower(p.Carrier)), Eq("policy_number", strings.ToUpper(p.PolicyNumber))); err != nil {
		return err
	}
	if err := save(t, insuranceTable, p); err != nil {
		return err
	}
	_, err := saveCompliance(t, nil)
	return err
}
