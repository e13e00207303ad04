package contractorops

// Helpers over the typed tables for the usual shapes of a handler.

// modify loads the entity id of tb, lets fn change it and stores it.
func modify[T any, P entity[T]](t *txn, tb table[T], id string, fn func(P) error) (P, error) {
	v, err := load[T, P](t, tb, id)
	if err != nil {
		return nil, err
	}
	if err := fn(v); err != nil {
		return nil, err
	}
	return v, update(t, tb, v)
}

// removeByID deletes the entity id of tb and returns it as it was.
func removeByID[T any, P entity[T]](t *txn, tb table[T], id string) (P, error) {
	v, err := load[T, P](t, tb, id)
	if err != nil {
		return nil, err
	}
	return v, remove(t, tb, v)
}

// all returns the entities of tb matching q, as values.
func all[T any, P entity[T]](t *txn, tb table[T], q Query) (*[]T, error) {
	found, err := find[T, P](t, tb, q)
	if err != nil {
		return nil, err
	}
	return values(found), nil
}

// values returns the entities pointed to, as a list a query returns.
func values[T any, P entity[T]](ps []P) *[]T {
	out := make([]T, len(ps))
	for i, v := range ps {
		out[i] = *v
	}
	return &out
}

// ensureUnique fails with a CONFLICT that is not retryable when an entity of
// tb other than self matches conds: "a branch with code NYC already exists".
// The table's unique index is the backstop against races; this check gives
// the caller a message that says what collides.
func ensureUnique[T any, P entity[T]](t *txn, tb table[T], self string, what string, conds ...Cond) error {
	found, err := find[T, P](t, tb, Query{Where: conds, Limit: 2})
	if err != nil {
		return err
	}
	for _, v := range found {
		if id := v.meta().ID; id != self {
			e := NewError(CodeConflict, "%s already exists (%s)", what, id)
			e.Retryable = false
			return e
		}
	}
	return nil
}

// makePrimary clears the primary flag of every entity of tb but self, so
// that self can be the one primary (the key is_primary is unique).
func makePrimary[T any, P entity[T]](t *txn, tb table[T], self string, flag func(P) *bool) error {
	found, err := find[T, P](t, tb, Query{Where: []Cond{Eq("is_primary", "true")}})
	if err != nil {
		return err
	}
	for _, v := range found {
		if v.meta().ID == self {
			continue
		}
		*flag(v) = false
		if err := update(t, tb, v); err != nil {
			return err
		}
	}
	return nil
}
