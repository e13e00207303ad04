package contractorops

import (
	"slices"
)

// Role is what a caller may do within an organization.
type Role string

// The roles. An authorization table per procedure lists the roles allowed.
const (
	RoleOwner      Role = "OWNER"
	RoleAdmin      Role = "ADMIN"
	RoleManager    Role = "MANAGER"
	RoleDispatcher Role = "DISPATCHER"
	RoleFinance    Role = "FINANCE"
	RoleTechnician Role = "TECHNICIAN"
	RoleAgent      Role = "AGENT"
)

// Roles returns every role.
func Roles() []Role {
	return []Role{RoleOwner, RoleAdmin, RoleManager, RoleDispatcher, RoleFinance, RoleTechnician, RoleAgent}
}

// ActorKind says who acts: a person, a technician in the field, an automated
// agent, or the platform itself.
type ActorKind string

// The actor kinds.
const (
	ActorUser       ActorKind = "user"
	ActorTechnician ActorKind = "technician"
	ActorAgent      ActorKind = "agent"
	ActorSystem     ActorKind = "system"
)

// Actor identifies who acts. For a technician, ID is the technician's id; for
// an agent, its name (e.g. "procurement-agent").
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id"`
}

// Scope is the caller of a command: the organization it acts in, who acts,
// and in which role. Every command runs in exactly one scope; nothing it does
// reaches another organization.
type Scope struct {
	OrganizationID string `json:"organizationId"`
	Actor          Actor  `json:"actor"`
	Role           Role   `json:"role"`
	// Procedures, when not empty, narrows the scope to these procedures
	// ("job/v1/get", …): an API key's or an agent's allowlist. It never
	// widens what the role allows.
	Procedures []string `json:"procedures,omitempty"`
}

// PlatformOrganization is the organization of platform operations, such as
// creating an organization, that belong to no tenant.
const PlatformOrganization = "00000000-0000-0000-0000-000000000000"

// PlatformScope returns the scope of platform operations (creating an
// organization) done by the named system actor.
func PlatformScope(actor string) Scope {
	return Scope{OrganizationID: PlatformOrganization, Actor: Actor{Kind: ActorSystem, ID: actor}, Role: RoleOwner}
}

// SystemScope returns the scope in which the engine's own periodic work
// (SLA escalations, scheduled agents) acts for org.
func SystemScope(org, name string) Scope {
	return Scope{OrganizationID: org, Actor: Actor{Kind: ActorSystem, ID: name}, Role: RoleOwner}
}

// authenticate checks that the scope is well formed.
func (s Scope) authenticate() error {
	switch {
	case !isUUID(s.OrganizationID):
		return NewError(CodeUnauthenticated, "the scope has no valid organization")
	case s.Actor.ID == "":
		return NewError(CodeUnauthenticated, "the scope has no actor")
	}
	switch s.Actor.Kind {
	case ActorUser, ActorTechnician, ActorAgent, ActorSystem:
	default:
		return NewError(CodeUnauthenticated, "unknown actor kind %q", s.Actor.Kind)
	}
	if !slices.Contains(Roles(), s.Role) {
		return NewError(CodeUnauthenticated, "unknown role %q", s.Role)
	}
	if s.Actor.Kind == ActorTechnician && s.Role != RoleTechnician {
		return NewError(CodeForbidden, "a technician acts only in the TECHNICIAN role")
	}
	if s.Role == RoleTechnician && s.Actor.Kind != ActorTechnician {
		return NewError(CodeForbidden, "the TECHNICIAN role is for technician actors")
	}
	if s.Actor.Kind == ActorAgent && s.Role != RoleAgent {
		return NewError(CodeForbidden, "an agent acts only in the AGENT role")
	}
	return nil
}

// isUUID reports whether s is a canonical lower- or upper-case UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
