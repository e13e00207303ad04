package contractorops

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"
)

// APIKeyPrefix starts the text of every API key.
const APIKeyPrefix = "ops_"

// APIKey is an organization's record of one of its API keys. It never holds
// the key's secret.
type APIKey struct {
	Meta
	Name string `json:"name"`
	// Prefix is the public start of the key's text ("ops_<id>"), to
	// recognize it.
	Prefix string `json:"prefix"`
	Role   Role   `json:"role"`
	Actor  Actor  `json:"actor"`
	// Procedures, when not empty, is the only procedures the key may call.
	Procedures []string   `json:"procedures,omitempty"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	CreatedBy  Actor      `json:"createdBy"`
	Revoked    bool       `json:"revoked"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

// NewAPIKey is the result of creating an API key: its record and its text,
// which is shown this once (and to replays of the same idempotency key).
type NewAPIKey struct {
	APIKey APIKey `json:"apiKey"`
	// Key is the text to present as "Authorization: Bearer <key>".
	Key string `json:"key"`
}

// apiKeyIndexEntry is the platform's record of a key: what authenticating
// it needs, before its organization is known.
type apiKeyIndexEntry struct {
	Meta
	Hash      string     `json:"hash"` // hex SHA-256 of the key's text
	Scope     Scope      `json:"scope"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	Revoked   bool       `json:"revoked"`
}

var apiKeysTable = table[APIKey]{
	spec: TableSpec{Name: "api_keys", Keys: []string{"name", "revoked"}},
	keys: func(k *APIKey) map[string]string {
		return keys("name", strings.ToLower(k.Name), "revoked", boolKey(k.Revoked))
	},
}

var apiKeyIndexTable = table[apiKeyIndexEntry]{
	spec: TableSpec{Name: "api_key_index", Keys: []string{"org"}},
	keys: func(k *apiKeyIndexEntry) map[string]string { return keys("org", k.Scope.OrganizationID) },
}

// CreateAPIKeyInput creates an API key.
type CreateAPIKeyInput struct {
	// Name says what the key is for ("QuickBooks sync", "Tablet 7").
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	Actor Actor  `json:"actor"`
	// Procedures, when not empty, is the only procedures the key may call.
	Procedures []string `json:"procedures,omitempty"`
	// ExpiresAt, when set, is when the key stops working.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// Validate checks the input.
func (in CreateAPIKeyInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Role, validation.Required, validation.In(Roles()...)),
		validation.Field(&in.Actor, validation.By(func(any) error { return validateKeyActor(in.Actor, in.Role) })),
		validation.Field(&in.Procedures, validation.Length(0, 500), validation.Each(validation.Required, validation.Length(1, 200))),
	)
}

// validateKeyActor is the rule tying a key's actor to its role: a
// technician acts as TECHNICIAN and only a technician does; an agent acts
// as AGENT; no key acts as the system.
func validateKeyActor(a Actor, role Role) error {
	errs := validation.Errors{}
	switch a.Kind {
	case ActorUser, ActorTechnician, ActorAgent:
		if (a.Kind == ActorTechnician) != (role == RoleTechnician) {
			errs["kind"] = validation.NewError("validation_actor_role", "a technician key has the TECHNICIAN role, and only a technician key has it")
		} else if a.Kind == ActorAgent && role != RoleAgent {
			errs["kind"] = validation.NewError("validation_actor_role", "an agent key has the AGENT role")
		}
	default:
		errs["kind"] = validation.NewError("validation_in_invalid", "must be user, technician or agent")
	}
	if a.ID == "" || len(a.ID) > 100 {
		errs["id"] = validation.NewError("validation_length_out_of_range", "must be 1 to 100 characters")
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ListAPIKeysInput lists the organization's API keys by name.
type ListAPIKeysInput struct {
	IncludeRevoked bool `json:"includeRevoked,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListAPIKeysInput) Validate() error { return in.PageRequest.Validate() }

// APIKeyService creates, lists, revokes and authenticates API keys.
//
// An API key authenticates a program (a host's integration, a technician's
// device, an agent) as one actor of one organization in one role, optionally
// narrowed to a list of procedures. Its text is
//
//	ops_<id>_<secret>
//
// where id is public (it names the key in lists and audit events) and secret
// is 256 random bits. The engine keeps only a SHA-256 hash of the text; the
// text itself is returned once, by [APIKeyService.Create].
//
// A key is looked up before its organization is known, so besides the
// organization's own record ([APIKey], table api_keys) the platform
// organization keeps an index from the key's id to its hash and scope
// (table api_key_index), which [APIKeyService.Authenticate] reads.
type APIKeyService struct {
	e      *Engine
	create proc[CreateAPIKeyInput, NewAPIKey]
	list   proc[ListAPIKeysInput, Page[APIKey]]
	revoke proc[IDInput, APIKey]
}

// Create creates an API key and returns its text, which is never shown again.
//
// Rules: only an OWNER creates OWNER keys, and a caller narrowed to a list of
// procedures creates only keys narrowed to a part of that list (a key never
// widens what its creator may do).
func (s *APIKeyService) Create(ctx context.Context, scope Scope, key string, in CreateAPIKeyInput) (*NewAPIKey, error) {
	return s.create.do(ctx, scope, key, in)
}

// List lists the organization's keys by name, without revoked ones unless
// asked.
func (s *APIKeyService) List(ctx context.Context, scope Scope, in ListAPIKeysInput) (*Page[APIKey], error) {
	return s.list.get(ctx, scope, in)
}

// Revoke revokes a key at once; revoking a revoked key changes nothing.
func (s *APIKeyService) Revoke(ctx context.Context, scope Scope, key, id string) (*APIKey, error) {
	return s.revoke.do(ctx, scope, key, IDInput{ID: id})
}

// errBadAPIKey is the one answer to a key that is malformed, unknown or has
// the wrong secret: which of these it is stays unsaid.
func errBadAPIKey() *Error { return NewError(CodeUnauthenticated, "the API key is not valid") }

// Authenticate returns the scope of the API key whose text is presented:
// an UNAUTHENTICATED *Error when the text is malformed, names no key, or
// does not match, or when the key is revoked or expired. The comparison of
// hashes takes constant time. It is not a catalog procedure: it runs before
// any scope exists.
func (s *APIKeyService) Authenticate(ctx context.Context, presented string) (Scope, error) {
	id, ok := parseAPIKey(presented)
	if !ok {
		return Scope{}, errBadAPIKey()
	}
	var entry apiKeyIndexEntry
	err := s.e.store.InTx(ctx, PlatformOrganization, func(tx Tx) error {
		row, err := tx.Get(ctx, apiKeyIndexTable.spec.Name, id)
		if err != nil {
			return err
		}
		return json.Unmarshal(row.Data, &entry)
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return Scope{}, errBadAPIKey()
	case err != nil:
		return Scope{}, AsError(fmt.Errorf("contractorops: read the API key index: %w", err))
	}
	sum := sha256.Sum256([]byte(presented))
	want, err := hex.DecodeString(entry.Hash)
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return Scope{}, errBadAPIKey()
	}
	switch {
	case entry.Revoked:
		return Scope{}, NewError(CodeUnauthenticated, "the API key was revoked")
	case entry.ExpiresAt != nil && !s.e.now().Before(*entry.ExpiresAt):
		return Scope{}, NewError(CodeUnauthenticated, "the API key expired")
	}
	return entry.Scope, nil
}

// keyEncoding writes key ids and secrets in lower-case base32: no
// underscores, so the parts of a key split unambiguously.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Lengths of the parts of a key: 80-bit ids, 256-bit secrets.
const (
	apiKeyIDBytes     = 10
	apiKeySecretBytes = 32
)

// newAPIKeyText returns a new key's id and text.
func newAPIKeyText() (id, text string) {
	var b [apiKeyIDBytes + apiKeySecretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("contractorops: read random bytes: %v", err))
	}
	id = keyEncoding.EncodeToString(b[:apiKeyIDBytes])
	return id, APIKeyPrefix + id + "_" + keyEncoding.EncodeToString(b[apiKeyIDBytes:])
}

// parseAPIKey returns the id of a well-formed key text.
func parseAPIKey(text string) (id string, ok bool) {
	rest, ok := strings.CutPrefix(text, APIKeyPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != keyEncoding.EncodedLen(apiKeyIDBytes) || len(secret) != keyEncoding.EncodedLen(apiKeySecretBytes) {
		return "", false
	}
	if _, err := keyEncoding.DecodeString(id); err != nil {
		return "", false
	}
	return id, true
}

func (e *Engine) registerAPIKeys() {
	e.APIKeys = &APIKeyService{
		e:      e,
		create: mutation(e, "apikey/v1/create", "Create an API key; its text is returned once.", rolesAdmin(), e.createAPIKey),
		list: query(e, "apikey/v1/list", "List the organization's API keys.", rolesAdmin(),
			func(c *call, in *ListAPIKeysInput) (*Page[APIKey], error) {
				return inTx(c, "list", func(t *txn) (*Page[APIKey], error) {
					q := Query{OrderBy: "name"}
					if !in.IncludeRevoked {
						q.Where = append(q.Where, Eq("revoked", "false"))
					}
					q = in.PageRequest.apply(q)
					items, err := find(t, apiKeysTable, q)
					if err != nil {
						return nil, err
					}
					return pageOf(in.PageRequest, q, items, func(k *APIKey) string { return strings.ToLower(k.Name) }), nil
				})
			}),
		revoke: mutation(e, "apikey/v1/revoke", "Revoke an API key at once.", rolesAdmin(), e.revokeAPIKey),
	}
}

func (e *Engine) createAPIKey(c *call, in *CreateAPIKeyInput) (*NewAPIKey, error) {
	if in.Role == RoleOwner && c.scope.Role != RoleOwner {
		return nil, NewError(CodeForbidden, "only an OWNER creates OWNER keys")
	}
	if len(c.scope.Procedures) > 0 {
		if len(in.Procedures) == 0 {
			return nil, NewError(CodeForbidden, "a caller limited to some procedures creates only keys limited to some of them")
		}
		for _, p := range in.Procedures {
			if !slices.Contains(c.scope.Procedures, p) {
				return nil, NewError(CodeForbidden, "a key may not call %s, which its creator may not call", p)
			}
		}
	}
	var fes []FieldError
	for i, p := range in.Procedures {
		if _, ok := e.catalog.Lookup(p); !ok {
			fes = append(fes, FieldError{Field: fmt.Sprintf("procedures.%d", i), Code: "validation_unknown_procedure", Message: fmt.Sprintf("no procedure %q", p)})
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(c.now) {
		fes = append(fes, FieldError{Field: "expiresAt", Code: "validation_in_past", Message: "must be in the future"})
	}
	if len(fes) > 0 {
		err := NewError(CodeValidationFailed, "input is invalid")
		err.FieldErrors = fes
		return nil, err
	}

	created, err := inTx(c, "create", func(t *txn) (*NewAPIKey, error) {
		id, text := newAPIKeyText()
		k := &APIKey{
			Meta: Meta{ID: id}, Name: in.Name, Prefix: APIKeyPrefix + id, Role: in.Role, Actor: in.Actor,
			Procedures: in.Procedures, ExpiresAt: in.ExpiresAt, CreatedBy: c.scope.Actor,
		}
		if err := insert(t, apiKeysTable, k); err != nil {
			return nil, err
		}
		return &NewAPIKey{APIKey: *k, Key: text}, nil
	})
	if err != nil {
		return nil, err
	}
	_, err = inTxFor(c, PlatformOrganization, "index", func(t *txn) (bool, error) {
		sum := sha256.Sum256([]byte(created.Key))
		scope := Scope{OrganizationID: c.scope.OrganizationID, Actor: in.Actor, Role: in.Role, Procedures: in.Procedures}
		return true, insert(t, apiKeyIndexTable, &apiKeyIndexEntry{
			Meta: Meta{ID: created.APIKey.ID}, Hash: hex.EncodeToString(sum[:]), Scope: scope, ExpiresAt: in.ExpiresAt,
		})
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

func (e *Engine) revokeAPIKey(c *call, in *IDInput) (*APIKey, error) {
	k, err := inTx(c, "revoke", func(t *txn) (*APIKey, error) {
		k, err := load(t, apiKeysTable, in.ID)
		if err != nil || k.Revoked {
			return k, err
		}
		if k.Role == RoleOwner && c.scope.Role != RoleOwner {
			return nil, NewError(CodeForbidden, "only an OWNER revokes OWNER keys")
		}
		now := c.now
		k.Revoked, k.RevokedAt = true, &now
		return k, update(t, apiKeysTable, k)
	})
	if err != nil {
		return nil, err
	}
	_, err = inTxFor(c, PlatformOrganization, "unindex", func(t *txn) (bool, error) {
		entry, err := load(t, apiKeyIndexTable, k.ID)
		if err != nil || entry.Revoked {
			return true, err
		}
		if entry.Scope.OrganizationID != c.scope.OrganizationID {
			return false, RowNotFound(apiKeysTable.spec.Name, k.ID)
		}
		entry.Revoked = true
		return true, update(t, apiKeyIndexTable, entry)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}
