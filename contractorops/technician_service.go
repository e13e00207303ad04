package contractorops

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TechnicianService manages technicians: their profiles, skills,
// certifications, weekly availability, time off and territories.
//
// Office roles manage every technician. A technician (scope role
// TECHNICIAN, actor id = technician id) may read their own record,
// availability and time off, and set their own availability; any other
// technician's record is FORBIDDEN to them.
type TechnicianService struct {
	create              proc[TechnicianInput, Technician]
	update              proc[UpdateTechnicianInput, Technician]
	get                 proc[IDInput, Technician]
	list                proc[ListTechniciansInput, Page[Technician]]
	upsertSkill         proc[SkillInput, Technician]
	removeSkill         proc[RemoveSkillInput, Technician]
	upsertCertification proc[CertificationInput, Technician]
	removeCertification proc[RemoveCertificationInput, Technician]
	setAvailability     proc[AvailabilityInput, Availability]
	getAvailability     proc[TechnicianRef, Availability]
	addTimeOff          proc[TimeOffInput, TimeOff]
	removeTimeOff       proc[IDInput, TimeOff]
	listTimeOff         proc[ListTimeOffInput, []TimeOff]
	setTerritories      proc[TerritoriesInput, Technician]
	kpis                proc[KPIInput, []TechnicianKPI]
}

// Create adds a technician, active.
func (s *TechnicianService) Create(ctx context.Context, scope Scope, key string, in TechnicianInput) (*Technician, error) {
	return s.create.do(ctx, scope, key, in)
}

// Update replaces a technician's profile; Active false deactivates them.
func (s *TechnicianService) Update(ctx context.Context, scope Scope, key string, in UpdateTechnicianInput) (*Technician, error) {
	return s.update.do(ctx, scope, key, in)
}

// Get reads a technician.
func (s *TechnicianService) Get(ctx context.Context, scope Scope, id string) (*Technician, error) {
	return s.get.get(ctx, scope, IDInput{ID: id})
}

// List lists technicians by last name.
func (s *TechnicianService) List(ctx context.Context, scope Scope, in ListTechniciansInput) (*Page[Technician], error) {
	return s.list.get(ctx, scope, in)
}

// UpsertSkill sets a technician's level in a trade.
func (s *TechnicianService) UpsertSkill(ctx context.Context, scope Scope, key string, in SkillInput) (*Technician, error) {
	return s.upsertSkill.do(ctx, scope, key, in)
}

// RemoveSkill removes a technician's skill in a trade.
func (s *TechnicianService) RemoveSkill(ctx context.Context, scope Scope, key string, in RemoveSkillInput) (*Technician, error) {
	return s.removeSkill.do(ctx, scope, key, in)
}

// UpsertCertification adds a certification to a technician or replaces the
// one of the same name.
func (s *TechnicianService) UpsertCertification(ctx context.Context, scope Scope, key string, in CertificationInput) (*Technician, error) {
	return s.upsertCertification.do(ctx, scope, key, in)
}

// RemoveCertification removes a technician's certification.
func (s *TechnicianService) RemoveCertification(ctx context.Context, scope Scope, key string, in RemoveCertificationInput) (*Technician, error) {
	return s.removeCertification.do(ctx, scope, key, in)
}

// SetAvailability replaces a technician's weekly availability.
func (s *TechnicianService) SetAvailability(ctx context.Context, scope Scope, key string, in AvailabilityInput) (*Availability, error) {
	return s.setAvailability.do(ctx, scope, key, in)
}

// GetAvailability reads a technician's weekly availability.
func (s *TechnicianService) GetAvailability(ctx context.Context, scope Scope, technicianID string) (*Availability, error) {
	return s.getAvailability.get(ctx, scope, TechnicianRef{TechnicianID: technicianID})
}

// AddTimeOff adds time off for a technician; it fails with
// SCHEDULING_CONFLICT when it overlaps time off they already have.
func (s *TechnicianService) AddTimeOff(ctx context.Context, scope Scope, key string, in TimeOffInput) (*TimeOff, error) {
	return s.addTimeOff.do(ctx, scope, key, in)
}

// RemoveTimeOff cancels time off.
func (s *TechnicianService) RemoveTimeOff(ctx context.Context, scope Scope, key, id string) (*TimeOff, error) {
	return s.removeTimeOff.do(ctx, scope, key, IDInput{ID: id})
}

// ListTimeOff lists time off overlapping a range, by start.
func (s *TechnicianService) ListTimeOff(ctx context.Context, scope Scope, in ListTimeOffInput) ([]TimeOff, error) {
	return deref(s.listTimeOff.get(ctx, scope, in))
}

// SetTerritories replaces a technician's territories.
func (s *TechnicianService) SetTerritories(ctx context.Context, scope Scope, key string, in TerritoriesInput) (*Technician, error) {
	return s.setTerritories.do(ctx, scope, key, in)
}

func (e *Engine) registerTechnicians() {
	self := func(roles []Role) []Role { return with(roles, RoleTechnician) }
	e.Technicians = &TechnicianService{
		kpis: query(e, "technician/v1/kpis", "Compute technicians' KPIs over a period from their jobs.", self(rolesReaders()), (*call).technicianKPIs),
		create: mutation(e, "technician/v1/create", "Add a technician.", rolesManage(),
			func(c *call, in *TechnicianInput) (*Technician, error) {
				return inTx(c, "create", func(t *txn) (*Technician, error) {
					tech := &Technician{Meta: Meta{ID: c.e.newID()}, Active: true}
					in.apply(tech)
					if err := checkTechnician(t, tech, ""); err != nil {
						return nil, err
					}
					return tech, insert(t, techniciansTable, tech)
				})
			}),
		update: mutation(e, "technician/v1/update", "Change a technician's profile, or deactivate them.", rolesManage(),
			func(c *call, in *UpdateTechnicianInput) (*Technician, error) {
				return inTx(c, "update", func(t *txn) (*Technician, error) {
					return modify(t, techniciansTable, in.ID, func(tech *Technician) error {
						branch := tech.BranchID
						in.apply(tech)
						if in.Active != nil {
							tech.Active = *in.Active
						}
						return checkTechnician(t, tech, branch)
					})
				})
			}),
		get: query(e, "technician/v1/get", "Read a technician (a technician: only themselves).", self(rolesReaders()),
			func(c *call, in *IDInput) (*Technician, error) {
				if err := ownRecord(c, in.ID); err != nil {
					return nil, err
				}
				return inTx(c, "get", func(t *txn) (*Technician, error) { return load(t, techniciansTable, in.ID) })
			}),
		list: query(e, "technician/v1/list", "List technicians by last name.", rolesReaders(),
			func(c *call, in *ListTechniciansInput) (*Page[Technician], error) {
				return inTx(c, "list", func(t *txn) (*Page[Technician], error) {
					q := Query{OrderBy: "name"}
					if s := strings.ToLower(strings.TrimSpace(in.Search)); s != "" {
						q.Where = append(q.Where, Gte("name", s), Lt("name", s+"\U0010FFFF"))
					}
					if !in.IncludeInactive {
						q.Where = append(q.Where, Eq("active", "true"))
					}
					if in.BranchID != "" {
						q.Where = append(q.Where, Eq("branch_id", in.BranchID))
					}
					q = in.PageRequest.apply(q)
					items, err := find(t, techniciansTable, q)
					if err != nil {
						return nil, err
					}
					return pageOf(in.PageRequest, q, items, func(t *Technician) string { return technicianSortName(t.FirstName, t.LastName) }), nil
				})
			}),
		upsertSkill: mutation(e, "technician/v1/upsertSkill", "Set a technician's level in a trade.", rolesManage(),
			func(c *call, in *SkillInput) (*Technician, error) {
				return changeTechnician(c, in.TechnicianID, func(_ *txn, tech *Technician) error {
					tech.Skills = upsert(tech.Skills, in.Skill, func(s Skill) bool { return s.Trade == in.Trade },
						func(a, b Skill) int { return strings.Compare(string(a.Trade), string(b.Trade)) })
					return nil
				})
			}),
		removeSkill: mutation(e, "technician/v1/removeSkill", "Remove a technician's skill in a trade.", rolesManage(),
			func(c *call, in *RemoveSkillInput) (*Technician, error) {
				return changeTechnician(c, in.TechnicianID, func(_ *txn, tech *Technician) error {
					n := len(tech.Skills)
					if tech.Skills = slices.DeleteFunc(tech.Skills, func(s Skill) bool { return s.Trade == in.Trade }); len(tech.Skills) == n {
						return NewError(CodeNotFound, "technician %s has no %s skill", tech.Name(), in.Trade)
					}
					return nil
				})
			}),
		upsertCertification: mutation(e, "technician/v1/upsertCertification", "Add or renew a technician's certification.", rolesManage(),
			func(c *call, in *CertificationInput) (*Technician, error) {
				return changeTechnician(c, in.TechnicianID, func(_ *txn, tech *Technician) error {
					cert := in.Certification
					cert.Name = strings.TrimSpace(cert.Name)
					tech.Certifications = upsert(tech.Certifications, cert, func(o Certification) bool { return sameName(o.Name, cert.Name) },
						func(a, b Certification) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
					return nil
				})
			}),
		removeCertification: mutation(e, "technician/v1/removeCertification", "Remove a technician's certification.", rolesManage(),
			func(c *call, in *RemoveCertificationInput) (*Technician, error) {
				return changeTechnician(c, in.TechnicianID, func(_ *txn, tech *Technician) error {
					n := len(tech.Certifications)
					if tech.Certifications = slices.DeleteFunc(tech.Certifications, func(o Certification) bool { return sameName(o.Name, in.Name) }); len(tech.Certifications) == n {
						return NewError(CodeNotFound, "technician %s has no %s certification", tech.Name(), in.Name)
					}
					return nil
				})
			}),
		setAvailability: mutation(e, "technician/v1/setAvailability", "Replace a technician's weekly availability (a technician: their own).", self(rolesOffice()),
			func(c *call, in *AvailabilityInput) (*Availability, error) {
				if err := ownRecord(c, in.TechnicianID); err != nil {
					return nil, err
				}
				return inTx(c, "set-availability", func(t *txn) (*Availability, error) {
					tech, err := modify(t, techniciansTable, in.TechnicianID, func(tech *Technician) error {
						tech.Availability = in.Availability.normalized()
						return nil
					})
					if err != nil {
						return nil, err
					}
					return availabilityOf(t, tech)
				})
			}),
		getAvailability: query(e, "technician/v1/getAvailability", "Read a technician's weekly availability (a technician: their own).", self(rolesReaders()),
			func(c *call, in *TechnicianRef) (*Availability, error) {
				if err := ownRecord(c, in.TechnicianID); err != nil {
					return nil, err
				}
				return inTx(c, "get-availability", func(t *txn) (*Availability, error) {
					tech, err := load(t, techniciansTable, in.TechnicianID)
					if err != nil {
						return nil, err
					}
					return availabilityOf(t, tech)
				})
			}),
		addTimeOff: mutation(e, "technician/v1/addTimeOff", "Add time off for a technician.", rolesOffice(),
			func(c *call, in *TimeOffInput) (*TimeOff, error) {
				return inTx(c, "add-time-off", func(t *txn) (*TimeOff, error) {
					o := &TimeOff{
						Meta: Meta{ID: c.e.newID()}, TechnicianID: in.TechnicianID, Reason: in.Reason,
						StartsAt: in.StartsAt.Truncate(time.Microsecond), EndsAt: in.EndsAt.Truncate(time.Microsecond),
					}
					// Updating the technician first serializes the time-off
					// changes of one technician: of two concurrent additions,
					// the second retries and sees the first.
					tech, err := modify(t, techniciansTable, in.TechnicianID, func(tech *Technician) error {
						tech.TimeOffRevision++
						return nil
					})
					if err != nil {
						return nil, err
					}
					clash, err := timeOffOverlapping(t, in.TechnicianID, o.Span())
					if err != nil {
						return nil, err
					}
					if len(clash) > 0 {
						loc, _, err := technicianLocation(t, tech)
						if err != nil {
							return nil, err
						}
						return nil, NewError(CodeSchedulingConflict, "time off %s overlaps %s's time off %s (%s)",
							formatSpan(o.Span(), loc), tech.Name(), describeTimeOff(clash[0], loc), clash[0].ID)
					}
					return o, insert(t, timeOffTable, o)
				})
			}),
		removeTimeOff: mutation(e, "technician/v1/removeTimeOff", "Cancel time off.", rolesOffice(),
			func(c *call, in *IDInput) (*TimeOff, error) {
				return inTx(c, "remove-time-off", func(t *txn) (*TimeOff, error) { return removeByID(t, timeOffTable, in.ID) })
			}),
		listTimeOff: query(e, "technician/v1/listTimeOff", "List time off overlapping a range (a technician: their own).", self(rolesReaders()),
			func(c *call, in *ListTimeOffInput) (*[]TimeOff, error) {
				if c.scope.Role == RoleTechnician && in.TechnicianID == "" {
					in.TechnicianID = c.scope.Actor.ID
				}
				if err := ownRecord(c, in.TechnicianID); err != nil {
					return nil, err
				}
				return inTx(c, "list-time-off", func(t *txn) (*[]TimeOff, error) {
					found, err := timeOffOverlapping(t, in.TechnicianID, TimeSpan{Start: in.From, End: in.To})
					if err != nil {
						return nil, err
					}
					return values(found), nil
				})
			}),
		setTerritories: mutation(e, "technician/v1/setTerritories", "Replace a technician's territories (service areas).", rolesManage(),
			func(c *call, in *TerritoriesInput) (*Technician, error) {
				return changeTechnician(c, in.TechnicianID, func(t *txn, tech *Technician) error {
					for i, tr := range in.Territories {
						a, err := load(t, serviceAreasTable, tr.ServiceAreaID)
						if err != nil {
							return err
						}
						if !a.Active {
							return fieldError(CodeValidationFailed, "territories."+strconv.Itoa(i)+".serviceAreaId", "validation_retired",
								"service area "+a.Name+" is retired")
						}
					}
					tech.Territories = slices.Clone(in.Territories)
					return nil
				})
			}),
	}
}

// ownRecord enforces the technician scope rule: a technician acts only on
// their own record.
func ownRecord(c *call, technicianID string) error {
	if c.scope.Role == RoleTechnician && technicianID != c.scope.Actor.ID {
		return NewError(CodeForbidden, "a technician may act only on their own record")
	}
	return nil
}

// changeTechnician runs fn on a technician in a transaction and stores it.
func changeTechnician(c *call, id string, fn func(t *txn, tech *Technician) error) (*Technician, error) {
	return inTx(c, "change", func(t *txn) (*Technician, error) {
		return modify(t, techniciansTable, id, func(tech *Technician) error { return fn(t, tech) })
	})
}

// upsert replaces the element of s that matches, or adds v, and keeps s
// sorted by cmp.
func upsert[T any](s []T, v T, match func(T) bool, cmp func(a, b T) int) []T {
	if i := slices.IndexFunc(s, match); i >= 0 {
		s[i] = v
	} else {
		s = append(s, v)
	}
	slices.SortFunc(s, cmp)
	return s
}

// checkTechnician checks the rules of a technician's profile that need the
// store: a free employee id, and an active branch when the branch is new
// (previousBranch is the branch before the change).
func checkTechnician(t *txn, tech *Technician, previousBranch string) error {
	if tech.EmployeeID != "" {
		if err := ensureUnique(t, techniciansTable, tech.ID, "a technician with employee id "+tech.EmployeeID,
			Eq("employee_id", strings.ToUpper(tech.EmployeeID))); err != nil {
			return err
		}
	}
	if tech.BranchID == "" || tech.BranchID == previousBranch {
		return nil
	}
	b, err := loadBranch(t, tech.BranchID)
	if errors.Is(err, ErrNotFound) {
		return fieldError(CodeValidationFailed, "branchId", "validation_not_found", AsError(err).Message)
	}
	if err != nil {
		return err
	}
	if !b.Active {
		return fieldError(CodeValidationFailed, "branchId", "validation_archived", "branch "+b.Name+" is archived")
	}
	return nil
}

// technicianLocation returns the time zone a technician works in: theirs,
// else their branch's, else the organization's.
func technicianLocation(t *txn, tech *Technician) (*time.Location, string, error) {
	tz := tech.TimeZone
	if tz == "" && tech.BranchID != "" {
		b, err := loadBranch(t, tech.BranchID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, "", err
		}
		if err == nil {
			tz = b.TimeZone
		}
	}
	if tz == "" {
		org, err := load(t, organizationsTable, t.org)
		if err != nil {
			return nil, "", err
		}
		tz = org.TimeZone
	}
	return t.e.location(tz), tz, nil
}

func availabilityOf(t *txn, tech *Technician) (*Availability, error) {
	_, tz, err := technicianLocation(t, tech)
	if err != nil {
		return nil, err
	}
	return &Availability{TechnicianID: tech.ID, TimeZone: tz, Hours: tech.Availability}, nil
}

// timeOffOverlapping returns the time off overlapping span, of one
// technician or (technicianID empty) of all, by start. A zero bound of span
// is open.
func timeOffOverlapping(t *txn, technicianID string, span TimeSpan) ([]*TimeOff, error) {
	q := Query{OrderBy: "starts_at"}
	if technicianID != "" {
		q.Where = append(q.Where, Eq("technician_id", technicianID))
	}
	if !span.End.IsZero() {
		q.Where = append(q.Where, Lt("starts_at", timeKey(span.End)))
	}
	if !span.Start.IsZero() {
		q.Where = append(q.Where, Gt("ends_at", timeKey(span.Start)))
	}
	return find(t, timeOffTable, q)
}

// formatSpan writes a span in loc: "2026-12-01 09:00–17:00 EST", or with
// both dates when it spans days.
func formatSpan(s TimeSpan, loc *time.Location) string {
	start, end := s.Start.In(loc), s.End.In(loc)
	if start.Format(time.DateOnly) == end.Format(time.DateOnly) {
		return start.Format("2006-01-02 15:04") + "–" + end.Format("15:04 MST")
	}
	return start.Format("2006-01-02 15:04") + " – " + end.Format("2006-01-02 15:04 MST")
}

func describeTimeOff(o *TimeOff, loc *time.Location) string {
	s := formatSpan(o.Span(), loc)
	if o.Reason != "" {
		s += ", " + o.Reason
	}
	return s
}
