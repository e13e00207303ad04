package contractorops

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/invopop/validation"
)

// Kind says whether a procedure changes state.
type Kind string

// The procedure kinds.
const (
	// KindMutation changes state: it needs an idempotency key, runs as a
	// workflow in durable mode, and is audited.
	KindMutation Kind = "mutation"
	// KindQuery only reads.
	KindQuery Kind = "query"
)

// Procedure is one entry of the command catalog: a versioned name, its input
// and output types, and who may call it. The typed Go API, the RPC server and
// the OpenAPI document are all views of these entries.
type Procedure struct {
	// Name is "namespace/vN/method", e.g. "job/v1/create".
	Name      string
	Namespace string
	Version   int
	Method    string
	Kind      Kind
	// Summary is one sentence for documentation.
	Summary string
	// Roles may call the procedure.
	Roles []Role
	// Input and Output are the Go types of the input (a struct) and of the
	// output (what the handler returns a pointer to).
	Input, Output reflect.Type

	newInput func() any
	run      func(c *call, in any) (any, error)
}

// WorkflowName is the durable workflow's name: "namespace.method.vN".
func (p *Procedure) WorkflowName() string {
	return p.Namespace + "." + p.Method + ".v" + strconv.Itoa(p.Version)
}

// NewInput returns a pointer to a new zero input, ready to decode JSON into.
func (p *Procedure) NewInput() any { return p.newInput() }

// Allows reports whether the scope may call the procedure.
func (p *Procedure) Allows(s Scope) bool {
	if len(s.Procedures) > 0 && !slices.Contains(s.Procedures, p.Name) {
		return false
	}
	return slices.Contains(p.Roles, s.Role)
}

// Catalog is the set of procedures of an engine, keyed by name.
type Catalog struct {
	procs map[string]*Procedure
}

// Lookup returns the procedure named name ("job/v1/create").
func (c *Catalog) Lookup(name string) (*Procedure, bool) {
	p, ok := c.procs[name]
	return p, ok
}

// Procedures returns every procedure, sorted by name.
func (c *Catalog) Procedures() []*Procedure {
	out := make([]*Procedure, 0, len(c.procs))
	for _, p := range c.procs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// validatable is the constraint on command inputs: a pointer to a struct
// that validates itself with invopop/validation.
type validatable[In any] interface {
	*In
	validation.Validatable
}

// proc is a typed handle on a catalog entry, used by the typed Go API.
type proc[In any, Out any] struct {
	p *Procedure
	e *Engine
}

// define registers a procedure. Names must be unique and well formed; a
// mistake is a programming error and panics when the engine is built.
func define[In any, Out any, PIn validatable[In]](e *Engine, kind Kind, name, summary string, roles []Role, run func(c *call, in *In) (*Out, error)) proc[In, Out] {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" || !strings.HasPrefix(parts[1], "v") {
		panic(fmt.Sprintf("contractorops: bad procedure name %q", name))
	}
	version, err := strconv.Atoi(parts[1][1:])
	if err != nil || version < 1 {
		panic(fmt.Sprintf("contractorops: bad procedure version in %q", name))
	}
	if _, dup := e.catalog.procs[name]; dup {
		panic(fmt.Sprintf("contractorops: procedure %q registered twice", name))
	}
	if reflect.TypeFor[In]().Kind() != reflect.Struct {
		panic(fmt.Sprintf("contractorops: input of %q is not a struct", name))
	}
	p := &Procedure{
		Name: name, Namespace: parts[0], Version: version, Method: parts[2],
		Kind: kind, Summary: summary, Roles: roles,
		Input: reflect.TypeFor[In](), Output: reflect.TypeFor[Out](),
		newInput: func() any { return new(In) },
		run: func(c *call, in any) (any, error) {
			out, err := run(c, in.(*In))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
	e.catalog.procs[name] = p
	return proc[In, Out]{p: p, e: e}
}

func mutation[In any, Out any, PIn validatable[In]](e *Engine, name, summary string, roles []Role, run func(c *call, in *In) (*Out, error)) proc[In, Out] {
	return define[In, Out, PIn](e, KindMutation, name, summary, roles, run)
}

func query[In any, Out any, PIn validatable[In]](e *Engine, name, summary string, roles []Role, run func(c *call, in *In) (*Out, error)) proc[In, Out] {
	return define[In, Out, PIn](e, KindQuery, name, summary, roles, run)
}

// do runs a mutation through the engine.
func (h proc[In, Out]) do(ctx context.Context, scope Scope, key string, in In) (*Out, error) {
	return decodeResult[Out](h.e.Execute(ctx, scope, h.p.Name, key, &in))
}

// get runs a query through the engine.
func (h proc[In, Out]) get(ctx context.Context, scope Scope, in In) (*Out, error) {
	return decodeResult[Out](h.e.Execute(ctx, scope, h.p.Name, "", &in))
}

// Role sets used by the authorization tables of the procedures.
func rolesAdmin() []Role   { return []Role{RoleOwner, RoleAdmin} }
func rolesManage() []Role  { return []Role{RoleOwner, RoleAdmin, RoleManager} }
func rolesOffice() []Role  { return []Role{RoleOwner, RoleAdmin, RoleManager, RoleDispatcher} }
func rolesFinance() []Role { return []Role{RoleOwner, RoleAdmin, RoleManager, RoleFinance} }
func rolesReaders() []Role {
	return []Role{RoleOwner, RoleAdmin, RoleManager, RoleDispatcher, RoleFinance}
}

// with returns the roles of set plus extra, for a procedure that a
// technician or an agent may also call.
func with(set []Role, extra ...Role) []Role { return append(set, extra...) }
