package hybrid

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Default limits, used for a zero field of [Limits].
const (
	DefaultMaxBytes        = 20 << 20
	DefaultMaxDecompressed = 100 << 20
	DefaultMaxDepth        = 64
)

// Limits bound the work Extract does on one PDF. A zero field takes its
// default.
type Limits struct {
	// MaxBytes is the largest PDF accepted (DefaultMaxBytes).
	MaxBytes int64
	// MaxDecompressed bounds the sum of the decompressed sizes of all
	// Flate and RunLength streams of the PDF (DefaultMaxDecompressed).
	MaxDecompressed int64
	// MaxDepth bounds the nesting of arrays and dictionaries, and of the
	// EmbeddedFiles name tree (DefaultMaxDepth).
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDecompressed <= 0 {
		l.MaxDecompressed = DefaultMaxDecompressed
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Result is the invoice XML found in a hybrid PDF.
type Result struct {
	// XML is the embedded invoice XML, byte for byte.
	XML []byte
	// Name is the embedded file's name (UF, else F, else the name tree key).
	Name string
	// Profile is the ZUGFeRD / Factur-X profile of the XML's guideline
	// id (BT-24), one of the Profile constants, or "" for another id.
	Profile string
	// Guideline is the XML's BT-24 as written.
	Guideline string
	// Warnings are the differences between what the PDF declares
	// (AFRelationship, XMP metadata) and what was found.
	Warnings []Warning
}

// Warning codes returned in [Warning.Code].
const (
	WarnAFRelationship = "af-relationship"
	WarnXMPMissing     = "xmp-missing"
	WarnXMPFileName    = "xmp-file-name"
	WarnXMPProfile     = "xmp-profile"
)

// Warning is a difference between what the PDF declares about its
// invoice and what Extract found. It does not reject the PDF.
type Warning struct {
	// Code is one of the Warn constants.
	Code string
	// Message is the English text.
	Message string
	// MessageDE is the German text.
	MessageDE string
}

// knownNames are the embedded file names of the hybrid formats:
// Factur-X 1.0 and ZUGFeRD 2.1+, ZUGFeRD 2.0, ZUGFeRD 2.0 as often
// written, and XRechnung in ZUGFeRD 2.1+.
var knownNames = [...]string{"factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml"}

// IsPDF reports whether data starts like a PDF: "%PDF-" in its first
// 1024 bytes, as readers accept.
func IsPDF(data []byte) bool {
	head := data[:min(len(data), 1024)]
	return bytes.Contains(head, []byte("%PDF-"))
}

// Extract finds the invoice XML embedded in the ZUGFeRD / Factur-X PDF.
// Every rejection is an *Error with a stable code; a cancelled or expired
// ctx gives ctx's error, wrapped.
//
// The PDF library runs in a goroutine: when ctx ends first, Extract
// returns at once and the goroutine may run on until the library notices
// the cancellation or finishes; its work is bounded by limits. Extract
// does not modify pdf, and the caller must not modify it while that
// goroutine may still read it.
func Extract(ctx context.Context, pdf []byte, limits Limits) (*Result, error) {
	lim := limits.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hybrid: extract: %w", err)
	}
	if int64(len(pdf)) > lim.MaxBytes {
		return nil, newError(CodeTooLarge, fmt.Errorf("%d bytes, limit %d", len(pdf), lim.MaxBytes))
	}
	if !IsPDF(pdf) {
		return nil, newError(CodeNotPDF, nil)
	}
	return guard(ctx, func() (*Result, error) { return extract(ctx, pdf, lim) })
}

// guard runs f in a goroutine, turns a panic of f into an "unreadable"
// Error and returns when f does or when ctx ends, whichever is first.
func guard(ctx context.Context, f func() (*Result, error)) (*Result, error) {
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1) // buffered: f's goroutine never blocks
	go func() {
		var o outcome
		defer func() {
			if p := recover(); p != nil {
				o = outcome{err: newError(CodeUnreadable, fmt.Errorf("PDF library panic: %v", p))}
			}
			done <- o
		}()
		o.res, o.err = f()
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return nil, fmt.Errorf("hybrid: extract: %w", ctx.Err())
	}
}

// config is pdfcpu's configuration for reading, made here so that
// pdfcpu never reads or writes a configuration directory.
func config() *model.Configuration {
	return &model.Configuration{
		Reader15:       true,
		ValidationMode: model.ValidationRelaxed,
		Cmd:            model.EXTRACTATTACHMENTS,
		Offline:        true,
		Eol:            types.EolLF,
	}
}

// embedded is one file of the EmbeddedFiles name tree.
type embedded struct {
	name string
	spec types.Dict
	sd   *types.StreamDict
}

func extract(ctx context.Context, pdf []byte, lim Limits) (*Result, error) {
	if err := prescan(ctx, pdf, lim); err != nil {
		return nil, err
	}
	pc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(pdf), config())
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("hybrid: extract: %w", ctx.Err())
		}
		if bytes.Contains(pdf, []byte("/Encrypt")) {
			return nil, newError(CodeEncrypted, err)
		}
		return nil, newError(CodeUnreadable, err)
	}
	if pc.Encrypt != nil || pc.E != nil {
		return nil, newError(CodeEncrypted, nil)
	}
	files, err := embeddedFiles(pc.XRefTable, lim)
	if err != nil {
		return nil, err
	}
	f, x, err := choose(files, lim)
	if err != nil {
		return nil, err
	}
	res := &Result{XML: f.content, Name: f.name, Guideline: x.guideline, Profile: ProfileOf(x.guideline)}
	res.Warnings = warnings(pc.XRefTable, f.embedded, res, lim)
	return res, nil
}

// embeddedFiles walks the EmbeddedFiles name tree, flat or with Kids.
func embeddedFiles(xt *model.XRefTable, lim Limits) ([]embedded, error) {
	root, err := xt.Catalog()
	if err != nil {
		return nil, newError(CodeUnreadable, fmt.Errorf("catalog: %w", err))
	}
	names, err := xt.DereferenceDict(root["Names"])
	if err != nil || names == nil {
		return nil, newError(CodeNoXML, err)
	}
	var files []embedded
	seen := map[types.IndirectRef]bool{}
	var walk func(o types.Object, depth int) error
	walk = func(o types.Object, depth int) error {
		if depth > lim.MaxDepth {
			return newError(CodePDFBomb, errors.New("EmbeddedFiles name tree too deep"))
		}
		if ir, ok := o.(types.IndirectRef); ok {
			if seen[ir] {
				return newError(CodeUnreadable, errors.New("EmbeddedFiles name tree has a cycle"))
			}
			seen[ir] = true
		}
		node, err := xt.DereferenceDict(o)
		if err != nil || node == nil {
			return nil // a broken node holds no file; others may
		}
		if kids, _ := xt.DereferenceArray(node["Kids"]); kids != nil {
			for _, k := range kids {
				if err := walk(k, depth+1); err != nil {
					return err
				}
			}
		}
		arr, _ := xt.DereferenceArray(node["Names"])
		for i := 0; i+1 < len(arr); i += 2 {
			key, _ := xt.DereferenceStringOrHexLiteral(arr[i], model.V10, nil)
			spec, err := xt.DereferenceDict(arr[i+1])
			if err != nil || spec == nil {
				continue
			}
			ef, _ := xt.DereferenceDict(spec["EF"])
			if ef == nil {
				continue
			}
			o := ef["UF"]
			if o == nil {
				o = ef["F"]
			}
			sd, _, err := xt.DereferenceStreamDict(o)
			if err != nil || sd == nil {
				continue
			}
			name := key
			for _, k := range []string{"UF", "F"} {
				if s, err := xt.DereferenceStringOrHexLiteral(spec[k], model.V10, nil); err == nil && s != "" {
					name = s
					break
				}
			}
			files = append(files, embedded{name: name, spec: spec, sd: sd})
			if len(files) > 10000 {
				return newError(CodePDFBomb, errors.New("more than 10000 embedded files"))
			}
		}
		return nil
	}
	if err := walk(names["EmbeddedFiles"], 0); err != nil {
		return nil, err
	}
	return files, nil
}

// decoded is an embedded file with its content.
type decoded struct {
	embedded
	content []byte
}

// content decodes the file's stream. The prescan bounded its size.
func content(sd *types.StreamDict, lim Limits) ([]byte, error) {
	if len(sd.FilterPipeline) == 0 {
		return sd.Raw, nil
	}
	if err := sd.Decode(); err != nil {
		return nil, err
	}
	if int64(len(sd.Content)) > lim.MaxDecompressed {
		return nil, newError(CodePDFBomb, errors.New("embedded file too large"))
	}
	return sd.Content, nil
}

// choose picks the invoice XML: the one file with a name of the formats,
// else the one .xml file whose root is an invoice.
func choose(files []embedded, lim Limits) (*decoded, *xmlInfo, error) {
	var known, other []embedded
	for _, f := range files {
		base := path.Base(strings.ReplaceAll(f.name, "\\", "/"))
		isKnown := false
		for _, k := range knownNames {
			if strings.EqualFold(base, k) {
				isKnown = true
			}
		}
		switch {
		case isKnown:
			known = append(known, f)
		case strings.HasSuffix(strings.ToLower(base), ".xml"):
			other = append(other, f)
		}
	}
	if len(known) > 1 {
		return nil, nil, newError(CodeTwoXML, fmt.Errorf("%s and %s", known[0].name, known[1].name))
	}
	if len(known) == 1 {
		b, err := content(known[0].sd, lim)
		if err != nil {
			return nil, nil, wrapDecode(known[0].name, err)
		}
		x, err := inspect(b)
		if err != nil {
			return nil, nil, newError(CodeXMLNotWellFormed, fmt.Errorf("%s: %w", known[0].name, err))
		}
		return &decoded{known[0], b}, x, nil
	}
	var found []*decoded
	var info *xmlInfo
	var malformed error
	for _, f := range other {
		b, err := content(f.sd, lim)
		if err != nil {
			return nil, nil, wrapDecode(f.name, err)
		}
		x, err := inspect(b)
		if err != nil {
			malformed = fmt.Errorf("%s: %w", f.name, err)
			continue
		}
		if x.invoice {
			found = append(found, &decoded{f, b})
			info = x
		}
	}
	switch {
	case len(found) > 1:
		return nil, nil, newError(CodeTwoXML, fmt.Errorf("%s and %s", found[0].name, found[1].name))
	case len(found) == 1:
		return found[0], info, nil
	case malformed != nil && len(other) == 1:
		return nil, nil, newError(CodeXMLNotWellFormed, malformed)
	}
	return nil, nil, newError(CodeNoXML, fmt.Errorf("%d embedded files, none an invoice XML", len(files)))
}

func wrapDecode(name string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return newError(CodeUnreadable, fmt.Errorf("decoding %s: %w", name, err))
}

// Namespaces of the invoice roots.
const (
	nsCII        = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	nsUBLInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsUBLCredit  = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
)

// xmlInfo is what inspect learns of an XML document.
type xmlInfo struct {
	invoice   bool   // root is a UBL Invoice/CreditNote or a CII CrossIndustryInvoice
	guideline string // BT-24
}

// inspect checks that b is well-formed XML without a DOCTYPE, with
// encoding/xml's strict decoder, and reads its root and BT-24.
func inspect(b []byte) (*xmlInfo, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var info xmlInfo
	var stack []xml.Name
	var text strings.Builder
	roots := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return nil, errors.New("DOCTYPE is not allowed")
			}
		case xml.StartElement:
			if len(stack) == 0 {
				roots++
				n := t.Name
				info.invoice = n.Space == nsCII && n.Local == "CrossIndustryInvoice" ||
					n.Space == nsUBLInvoice && n.Local == "Invoice" ||
					n.Space == nsUBLCredit && n.Local == "CreditNote"
			}
			stack = append(stack, t.Name)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if info.guideline == "" && isGuideline(stack) {
				info.guideline = strings.TrimSpace(text.String())
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	if roots != 1 {
		return nil, errors.New("no root element")
	}
	return &info, nil
}

// isGuideline reports whether the element path is BT-24: CII's
// ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID
// or UBL's CustomizationID under the root.
func isGuideline(stack []xml.Name) bool {
	n := len(stack)
	if n == 2 && stack[1].Local == "CustomizationID" {
		return true
	}
	return n == 4 && stack[1].Local == "ExchangedDocumentContext" &&
		stack[2].Local == "GuidelineSpecifiedDocumentContextParameter" && stack[3].Local == "ID"
}
