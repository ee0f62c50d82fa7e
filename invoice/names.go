package invoice

// A nameIndex maps local names to values, built once with a rule set and
// read for every element: an open-addressing table hashed on a name's
// length and three of its bytes, which is cheaper than a Go map's hash of
// the whole string for the short names of invoices. It is immutable once
// built.
type nameIndex[V any] struct {
	keys  []string
	vals  []V
	used  []bool
	mask  uint32
	count int
}

// nameHash mixes the length, first, middle and last byte of a non-empty name.
func nameHash(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	h := uint32(n) | uint32(s[0])<<8 | uint32(s[n>>1])<<16 | uint32(s[n-1])<<24
	h *= 0x9E3779B1
	return h ^ h>>15
}

// newNameIndex builds the index of m.
func newNameIndex[V any](m map[string]V) nameIndex[V] {
	size := 8
	for size < 2*len(m) {
		size *= 2
	}
	x := nameIndex[V]{keys: make([]string, size), vals: make([]V, size), used: make([]bool, size), mask: uint32(size - 1), count: len(m)}
	for k, v := range m {
		i := nameHash(k) & x.mask
		for x.used[i] {
			i = (i + 1) & x.mask
		}
		x.keys[i], x.vals[i], x.used[i] = k, v, true
	}
	return x
}

// get returns the value of name and whether it is there.
func (x *nameIndex[V]) get(name string) (v V, ok bool) {
	if x.count == 0 {
		return v, false
	}
	for i := nameHash(name) & x.mask; x.used[i]; i = (i + 1) & x.mask {
		if x.keys[i] == name {
			return x.vals[i], true
		}
	}
	return v, false
}
