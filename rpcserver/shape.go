package rpcserver

import (
	"cmp"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// jsonField is one field of a struct as encoding/json writes it.
type jsonField struct {
	name      string
	typ       reflect.Type
	omitEmpty bool
	asString  bool // the ",string" option
}

// jsonFields returns the fields encoding/json encodes for the struct type
// t, in its order, with the fields of embedded structs promoted by its
// rules: the shallowest field of a name wins, a tagged one over an
// untagged one at the same depth, and a tie hides the name.
func jsonFields(t reflect.Type) []jsonField {
	type candidate struct {
		jsonField
		index  []int
		tagged bool
	}
	type level struct {
		typ   reflect.Type
		index []int
	}
	var found []candidate
	current := []level{{typ: t}}
	visited := map[reflect.Type]bool{}
	for len(current) > 0 {
		var next []level
		var here []candidate
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			for i := range l.typ.NumField() {
				sf := l.typ.Field(i)
				ft := sf.Type
				if sf.Anonymous {
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(l.index[:len(l.index):len(l.index)], i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, level{typ: ft, index: index})
					continue
				}
				c := candidate{index: index, tagged: name != ""}
				c.name = cmp.Or(name, sf.Name)
				c.typ = sf.Type
				c.omitEmpty = hasOption(opts, "omitempty") || hasOption(opts, "omitzero")
				c.asString = hasOption(opts, "string")
				here = append(here, c)
			}
		}
		// Names already taken at a shallower depth hide these; among
		// these, ties are resolved by tags.
		taken := map[string]bool{}
		for _, c := range found {
			taken[c.name] = true
		}
		byName := map[string][]candidate{}
		for _, c := range here {
			if !taken[c.name] {
				byName[c.name] = append(byName[c.name], c)
			}
		}
		for _, cs := range byName {
			var tagged []candidate
			for _, c := range cs {
				if c.tagged {
					tagged = append(tagged, c)
				}
			}
			switch {
			case len(cs) == 1:
				found = append(found, cs[0])
			case len(tagged) == 1:
				found = append(found, tagged[0])
			default:
				// Hidden, but still taken so deeper levels do not use it.
				found = append(found, candidate{jsonField: jsonField{name: cs[0].name}, index: nil})
			}
		}
		current = next
	}
	found = slices.DeleteFunc(found, func(c candidate) bool { return c.index == nil })
	slices.SortFunc(found, func(a, b candidate) int { return slices.Compare(a.index, b.index) })
	out := make([]jsonField, len(found))
	for i, c := range found {
		out[i] = c.jsonField
	}
	return out
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// implementsMarshaler reports whether t (or *t) writes its own JSON.
func implementsMarshaler(t reflect.Type) bool {
	for _, m := range []reflect.Type{jsonMarshalerType, textMarshalerType} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
