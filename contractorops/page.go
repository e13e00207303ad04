package contractorops

import (
	"encoding/base64"
	"encoding/json"

	"github.com/invopop/validation"
)

// Page is one page of a list, with the cursor of the next page (empty on
// the last page).
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// PageRequest asks for one page of a list: up to Limit items (default 50,
// at most 500) after Cursor (from the previous page).
type PageRequest struct {
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// Validate checks the request.
func (p PageRequest) Validate() error {
	return validation.ValidateStruct(&p,
		validation.Field(&p.Limit, validation.Min(0), validation.Max(maxPageSize)),
		validation.Field(&p.Cursor, validation.By(func(any) error {
			_, err := decodeCursor(p.Cursor)
			return err
		})),
	)
}

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// apply sets the query's limit (one more than the page, to know whether
// another page follows) and cursor.
func (p PageRequest) apply(q Query) Query {
	limit := p.Limit
	if limit == 0 {
		limit = defaultPageSize
	}
	q.Limit = limit + 1
	q.After, _ = decodeCursor(p.Cursor)
	return q
}

// pageOf returns the page of items found with a query built by apply.
func pageOf[T any, P entity[T]](p PageRequest, q Query, items []P, sortKey func(P) string) *Page[T] {
	limit := q.Limit - 1
	out := &Page[T]{Items: make([]T, 0, min(len(items), limit))}
	for i, it := range items {
		if i == limit {
			last := items[i-1]
			out.NextCursor = encodeCursor(Cursor{Value: sortKey(last), ID: last.meta().ID})
			break
		}
		out.Items = append(out.Items, *it)
	}
	return out
}

func encodeCursor(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, validation.NewError("validation_cursor", "is not a cursor returned by a previous page")
	}
	return &c, nil
}
