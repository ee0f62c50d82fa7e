package schemas

// The structure of UBL 2.1 and UN/CEFACT CII D16B as the validator needs it:
// for every element its type; for every type its attributes, its simple
// content or its content model. The tables (structure_gen.go) are generated
// by schemas/internal/xsdgen from the OASIS and UN/CEFACT XML Schemas.

// QName is a namespace-qualified name.
type QName struct{ Space, Local string }

// Particle kinds.
const (
	PElement uint8 = iota + 1
	PSequence
	PChoice
	PAny
)

// A Particle is a piece of a content model. Max < 0 means unbounded.
type Particle struct {
	Kind     uint8
	Min, Max int
	Name     QName      // PElement
	Type     int        // PElement: index into Types
	Items    []Particle // PSequence, PChoice
	AnyOther string     // PAny: the namespace that is excluded (##other), "" for ##any
	Skip     bool       // PAny: processContents skip (else lax)
}

// An Attribute is an attribute declaration.
type Attribute struct {
	Name     QName
	Simple   int // index into Simples
	Required bool
	Fixed    *string
}

// A Type is a complex or simple type an element can have.
type Type struct {
	Name    string
	Simple  int // index into Simples for simple content, -1 for element content
	Attrs   []Attribute
	AnyAttr bool
	Content *Particle // element content; nil means empty (when Simple < 0)
	Mixed   bool
}

// A Simple is a simple type, flattened to a built-in base and its facets.
type Simple struct {
	Name      string
	Base      string // built-in XML Schema type: decimal, date, token, …
	Enum      []string
	MinLength int // -1 if none
	MaxLength int // -1 if none
}

// A Structure is the schema set of one syntax.
type Structure struct {
	Elements map[QName]int // global elements and their types
	Types    []Type
	Simples  []Simple
}

// UBL returns the structure of UBL 2.1 (Invoice, CreditNote and the
// common libraries).
func UBL() *Structure { return ublStructure }

// CII returns the structure of CII D16B.
func CII() *Structure { return ciiStructure }

func ptr(s string) *string { return &s }
