package invoice

// A nameIndex numbers local names, built once with a rule set and read
// for every element: an open-addressing table hashed on a name's length
// and three of its bytes, which is cheaper than a Go map's hash of the
// whole string for the short names of invoices. It is immutable once
// built; its numbers index a slice of what the names map to.
type nameIndex struct {
	slots []nameSlot
	mask  uint32
	shift uint32 // a hash's top bits number its slot
}

type nameSlot struct {
	key  string
	hash uint32
	val  int32 // -1: empty
}

// nameHash mixes the length, first, middle and last byte of a name; its
// top bits are the well mixed ones.
func nameHash(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	h := uint32(n) | uint32(s[0])<<8 | uint32(s[n>>1])<<16 | uint32(s[n-1])<<24
	return h * 0x9E3779B1
}

// newNameIndex indexes names, each numbered by its position.
func newNameIndex(names []string) nameIndex {
	size, bits := 8, uint32(3)
	for size < 2*len(names) {
		size, bits = size*2, bits+1
	}
	x := nameIndex{slots: make([]nameSlot, size), mask: uint32(size - 1), shift: 32 - bits}
	for i := range x.slots {
		x.slots[i].val = -1
	}
	for v, k := range names {
		h := nameHash(k)
		i := h >> x.shift
		for x.slots[i].val >= 0 {
			i = (i + 1) & x.mask
		}
		x.slots[i] = nameSlot{k, h, int32(v)}
	}
	return x
}

// get returns the number of name, or -1.
func (x *nameIndex) get(name string) int {
	if len(x.slots) == 0 {
		return -1
	}
	h := nameHash(name)
	for i := h >> x.shift; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.val < 0 {
			return -1
		}
		if s.hash == h && s.key == name {
			return int(s.val)
		}
	}
}
