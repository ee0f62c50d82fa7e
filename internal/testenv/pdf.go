package testenv

import (
	"bytes"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// An EmbeddedFile is a file to embed in a test PDF.
type EmbeddedFile struct {
	Name string
	Data []byte
	Rel  string // AFRelationship, "" for none
}

// PDFConfig is pdfcpu's configuration for writing test PDFs: object and
// cross-reference streams, AES-256 where encrypted, no configuration
// directory.
func PDFConfig() *model.Configuration {
	return &model.Configuration{
		Reader15:          true,
		ValidationMode:    model.ValidationRelaxed,
		Offline:           true,
		Eol:               types.EolLF,
		WriteObjectStream: true,
		WriteXRefStream:   true,
		EncryptUsingAES:   true,
		EncryptKeyLength:  256,
		Permissions:       model.PermissionsPrint,
	}
}

// PDF makes a one-page PDF with pdfcpu that embeds files, flat in the
// EmbeddedFiles name tree, compressed, in object streams, and with xmp as
// its XMP metadata if not empty.
func PDF(t testing.TB, xmp string, files ...EmbeddedFile) []byte {
	t.Helper()
	ctx, err := pdfcpu.CreateContextWithXRefTable(PDFConfig(), &types.Dim{Width: 595, Height: 842})
	if err != nil {
		t.Fatal(err)
	}
	xt := ctx.XRefTable
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, f := range files {
		sd, err := xt.NewEmbeddedStreamDict(bytes.NewReader(f.Data), mod)
		if err != nil {
			t.Fatal(err)
		}
		d, err := xt.NewFileSpecDict(f.Name, f.Name, "", *sd)
		if err != nil {
			t.Fatal(err)
		}
		if f.Rel != "" {
			d.InsertName("AFRelationship", f.Rel)
		}
		ir, err := xt.IndRefForNewObject(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := xt.LocateNameTree("EmbeddedFiles", true); err != nil {
			t.Fatal(err)
		}
		m := model.NameMap{f.Name: []types.Dict{d}}
		if err := xt.Names["EmbeddedFiles"].Add(xt, f.Name, *ir, m, []string{"F", "UF"}); err != nil {
			t.Fatal(err)
		}
	}
	if xmp != "" {
		sd, err := xt.NewStreamDictForBuf([]byte(xmp))
		if err != nil {
			t.Fatal(err)
		}
		sd.InsertName("Type", "Metadata")
		sd.InsertName("Subtype", "XML")
		if err := sd.Encode(); err != nil {
			t.Fatal(err)
		}
		ir, err := xt.IndRefForNewObject(*sd)
		if err != nil {
			t.Fatal(err)
		}
		root, err := xt.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		root.Insert("Metadata", *ir)
	}
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// HybridPDF makes a ZUGFeRD / Factur-X PDF that carries xml as
// factur-x.xml (AFRelationship Alternative), with matching XMP metadata
// of the conformance level.
func HybridPDF(t testing.TB, xml []byte, level string) []byte {
	t.Helper()
	return PDF(t, FacturXXMP("factur-x.xml", level), EmbeddedFile{"factur-x.xml", xml, "Alternative"})
}

// FacturXXMP is XMP metadata with the Factur-X extension schema naming
// the embedded file and the conformance level.
func FacturXXMP(name, level string) string {
	return `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
<fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>` + name + `</fx:DocumentFileName>
<fx:Version>1.0</fx:Version><fx:ConformanceLevel>` + level + `</fx:ConformanceLevel>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
}

// EncryptPDF encrypts pdf with pdfcpu (AES-256), with the user password
// (none when empty: anyone may open it) and an owner password.
func EncryptPDF(t testing.TB, pdf []byte, user string) []byte {
	t.Helper()
	conf := PDFConfig()
	conf.UserPW, conf.OwnerPW = user, "owner"
	var buf bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(pdf), &buf, conf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
