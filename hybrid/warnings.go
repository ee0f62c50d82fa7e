package hybrid

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// warnings compares what the PDF declares about its invoice with what
// was found: the file specification's AFRelationship and the XMP
// metadata's Factur-X / ZUGFeRD extension schema (DocumentFileName,
// ConformanceLevel). Neither is trusted; a difference is a Warning.
func warnings(xt *model.XRefTable, f embedded, res *Result, lim Limits) []Warning {
	var ws []Warning
	rel, _ := xt.DereferenceName(f.spec["AFRelationship"], model.V10, nil)
	switch r := string(rel); r {
	case "Data", "Alternative", "Source":
	case "":
		ws = append(ws, Warning{WarnAFRelationship,
			fmt.Sprintf("the embedded invoice %s has no AFRelationship (Data, Alternative or Source)", f.name),
			fmt.Sprintf("die eingebettete Rechnung %s hat keine AFRelationship (Data, Alternative oder Source)", f.name)})
	default:
		ws = append(ws, Warning{WarnAFRelationship,
			fmt.Sprintf("the embedded invoice %s has AFRelationship %s, not Data, Alternative or Source", f.name, r),
			fmt.Sprintf("die eingebettete Rechnung %s hat die AFRelationship %s statt Data, Alternative oder Source", f.name, r)})
	}

	name, level, ok := xmp(xt, lim)
	if !ok {
		return append(ws, Warning{WarnXMPMissing,
			"the PDF's XMP metadata does not declare the embedded invoice (DocumentFileName)",
			"die XMP-Metadaten des PDF nennen die eingebettete Rechnung nicht (DocumentFileName)"})
	}
	if name != res.Name {
		ws = append(ws, Warning{WarnXMPFileName,
			fmt.Sprintf("the XMP metadata names the invoice %q, the PDF embeds %q", name, res.Name),
			fmt.Sprintf("die XMP-Metadaten nennen die Rechnung %q, das PDF bettet %q ein", name, res.Name)})
	}
	if p := xmpProfile(level); level != "" && p != res.Profile {
		ws = append(ws, Warning{WarnXMPProfile,
			fmt.Sprintf("the XMP metadata declares the profile %q, the invoice XML is of profile %q", level, res.Profile),
			fmt.Sprintf("die XMP-Metadaten nennen das Profil %q, die Rechnungs-XML hat das Profil %q", level, res.Profile)})
	}
	return ws
}

// xmpProfile maps an XMP ConformanceLevel to a Profile constant.
func xmpProfile(level string) string {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(level), " ", "")) {
	case "MINIMUM":
		return ProfileMinimum
	case "BASICWL":
		return ProfileBasicWL
	case "BASIC":
		return ProfileBasic
	case "EN16931", "COMFORT":
		return ProfileEN16931
	case "EXTENDED":
		return ProfileExtended
	case "XRECHNUNG":
		return ProfileXRechnung
	}
	return level
}

// xmp reads DocumentFileName and ConformanceLevel from the catalog's XMP
// metadata, as elements or attributes of any prefix.
func xmp(xt *model.XRefTable, lim Limits) (name, level string, ok bool) {
	root, err := xt.Catalog()
	if err != nil {
		return "", "", false
	}
	sd, _, err := xt.DereferenceStreamDict(root["Metadata"])
	if err != nil || sd == nil {
		return "", "", false
	}
	b, err := content(sd, lim)
	if err != nil {
		return "", "", false
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var cur string
	for {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur = t.Name.Local
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "DocumentFileName":
					name, ok = a.Value, true
				case "ConformanceLevel":
					level = a.Value
				}
			}
		case xml.CharData:
			switch cur {
			case "DocumentFileName":
				name, ok = strings.TrimSpace(string(t)), true
			case "ConformanceLevel":
				level = strings.TrimSpace(string(t))
			}
		case xml.EndElement:
			cur = ""
		}
	}
	return name, level, ok
}
