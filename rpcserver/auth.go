package rpcserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
)

// Authenticator identifies the caller of a request: the organization it
// acts in, who acts, and in which role. Hosts plug their identity provider
// in through it (a session cookie, an OIDC token, mTLS); the bundled one is
// [APIKeys]. A failure should be an UNAUTHENTICATED *contractorops.Error
// (401), or FORBIDDEN / ORGANIZATION_ACCESS_DENIED (403) for credentials
// that are valid but not for this.
type Authenticator interface {
	Authenticate(r *http.Request) (contractorops.Scope, error)
}

// AuthenticatorFunc adapts a function to [Authenticator].
type AuthenticatorFunc func(r *http.Request) (contractorops.Scope, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (contractorops.Scope, error) { return f(r) }

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header, or an UNAUTHENTICATED error.
func BearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", contractorops.NewError(contractorops.CodeUnauthenticated, "send an API key as \"Authorization: Bearer <key>\"")
	}
	return token, nil
}

// APIKeys authenticates the engine's API keys (see
// [contractorops.APIKeyService]) sent as "Authorization: Bearer <key>". A
// key carries its organization, so no X-Org-Id header is needed.
func APIKeys(eng *contractorops.Engine) Authenticator {
	return AuthenticatorFunc(func(r *http.Request) (contractorops.Scope, error) {
		token, err := BearerToken(r)
		if err != nil {
			return contractorops.Scope{}, err
		}
		return eng.APIKeys.Authenticate(r.Context(), token)
	})
}

// StaticKeys authenticates a fixed set of bearer keys, each with its scope:
// a bootstrap key from the environment, or keys in tests. Keys are compared
// in constant time.
func StaticKeys(keys map[string]contractorops.Scope) Authenticator {
	type entry struct {
		hash  [sha256.Size]byte
		scope contractorops.Scope
	}
	entries := make([]entry, 0, len(keys))
	for k, s := range keys {
		entries = append(entries, entry{sha256.Sum256([]byte(k)), s})
	}
	return AuthenticatorFunc(func(r *http.Request) (contractorops.Scope, error) {
		token, err := BearerToken(r)
		if err != nil {
			return contractorops.Scope{}, err
		}
		sum := sha256.Sum256([]byte(token))
		for _, e := range entries {
			if subtle.ConstantTimeCompare(sum[:], e.hash[:]) == 1 {
				return e.scope, nil
			}
		}
		return contractorops.Scope{}, contractorops.NewError(contractorops.CodeUnauthenticated, "the API key is not valid")
	})
}

// FirstOf tries authenticators in order and returns the first success, or
// the last one's error.
func FirstOf(as ...Authenticator) Authenticator {
	return AuthenticatorFunc(func(r *http.Request) (contractorops.Scope, error) {
		err := error(contractorops.NewError(contractorops.CodeUnauthenticated, "no authenticator"))
		for _, a := range as {
			var s contractorops.Scope
			if s, err = a.Authenticate(r); err == nil {
				return s, nil
			}
		}
		return contractorops.Scope{}, err
	})
}

// Cached remembers for ttl the scope each Authorization header value
// authenticated to, so that a busy key costs one lookup per ttl instead of
// one per request (on Postgres, a transaction). Only successes are
// remembered; a key revoked or expired meanwhile keeps working in this
// process until its entry is ttl old, so keep ttl short (seconds). Use it
// only over an authenticator that reads nothing but the Authorization
// header, such as [APIKeys]. clock defaults to time.Now.
func Cached(a Authenticator, ttl time.Duration, clock func() time.Time) Authenticator {
	if clock == nil {
		clock = time.Now
	}
	c := &authCache{next: a, ttl: ttl, now: clock, entries: map[[sha256.Size]byte]cachedScope{}}
	return AuthenticatorFunc(c.authenticate)
}

// maxCachedScopes bounds the cache; when full it starts afresh.
const maxCachedScopes = 10_000

type cachedScope struct {
	scope contractorops.Scope
	until time.Time
}

type authCache struct {
	next    Authenticator
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedScope
}

func (c *authCache) authenticate(r *http.Request) (contractorops.Scope, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return c.next.Authenticate(r)
	}
	k := sha256.Sum256([]byte(h))
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.scope, nil
	}
	scope, err := c.next.Authenticate(r)
	if err != nil {
		return scope, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxCachedScopes {
		clear(c.entries)
	}
	c.entries[k] = cachedScope{scope: scope, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return scope, nil
}
