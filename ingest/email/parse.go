package email

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// A Part is one leaf of a mail's MIME tree, its transfer encoding decoded
// and its bytes otherwise as sent (no charset is converted: an XML
// invoice's bytes are the invoice).
type Part struct {
	ContentType string // media type, lower case
	Filename    string // decoded (RFC 2231, RFC 2047), if any
	Attachment  bool   // has a file name or Content-Disposition: attachment
	Data        []byte
}

// Kind is what a part is to the gateway.
type Kind int

// Kinds of parts.
const (
	KindBody    Kind = iota // the text of the mail
	KindInvoice             // an XML document
	KindPDF                 // a PDF (hybrid invoices: not yet accepted)
	KindOther               // any other attachment: ignored and named in the reply
)

// Kind classifies the part: an invoice is XML by content type, file name
// or root element.
func (p *Part) Kind() Kind {
	ext := strings.ToLower(path.Ext(p.Filename))
	switch {
	case p.ContentType == "application/xml" || p.ContentType == "text/xml" || strings.HasSuffix(p.ContentType, "+xml") || ext == ".xml":
		return KindInvoice
	case p.ContentType == "application/pdf" || ext == ".pdf":
		return KindPDF
	case invoiceRoot(p.Data):
		return KindInvoice
	case !p.Attachment && strings.HasPrefix(p.ContentType, "text/"):
		return KindBody
	}
	return KindOther
}

// invoiceRoot reports whether data begins like an XML document whose root
// element is an invoice or credit note (UBL or CII).
func invoiceRoot(data []byte) bool {
	head := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<")) {
		return false
	}
	d := xml.NewDecoder(io.LimitReader(bytes.NewReader(head), 64<<10))
	d.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errors.New("stop") }
	for range 64 {
		tok, err := d.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "Invoice", "CreditNote", "CrossIndustryInvoice":
				return true
			}
			return false
		}
	}
	return false
}

// A Mail is a parsed mail: what the channel needs of its header, and its
// leaves.
type Mail struct {
	From      string // address only
	MessageID string // without angle brackets
	Subject   string
	Header    mail.Header
	Parts     []*Part
}

// ErrUnreadable is wrapped by Parse's errors about the mail's structure.
var ErrUnreadable = errors.New("the mail cannot be read")

// maxDepth bounds the nesting of multiparts.
const maxDepth = 16

// Parse reads a whole mail.
func Parse(raw []byte) (*Mail, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrUnreadable, err)
	}
	mh := mail.Header{Header: message.Header{Header: h}}
	m := &Mail{Header: mh}
	m.From = fromAddress(mh)
	m.MessageID, _ = mh.MessageID()
	if m.MessageID == "" {
		m.MessageID = strings.Trim(strings.TrimSpace(mh.Get("Message-Id")), "<>")
	}
	m.Subject, _ = mh.Subject()
	if err := m.walk(h, br, 0); err != nil {
		return m, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return m, nil
}

// fromAddress returns the address of a mail's From. A display name that
// does not decode (an unknown charset, an encoded comma) does not cost the
// address: the value is parsed again undecoded, with unknown charsets
// taken as they are, and failing that its angle-addr is taken alone.
func fromAddress(h mail.Header) string {
	if from, err := h.AddressList("From"); err == nil {
		if len(from) > 0 {
			return from[0].Address
		}
		return ""
	}
	raw := strings.TrimSpace(h.Get("From"))
	if list, err := (&netmail.AddressParser{WordDecoder: lenientWords}).ParseList(raw); err == nil && len(list) > 0 {
		return list[0].Address
	}
	if i := strings.LastIndexByte(raw, '<'); i >= 0 {
		if j := strings.IndexByte(raw[i:], '>'); j > 0 {
			if a, err := netmail.ParseAddress(raw[i : i+j+1]); err == nil {
				return a.Address
			}
		}
	}
	return ""
}

// lenientWords decodes RFC 2047 words in any charset it knows and leaves
// the bytes of the others as they are.
var lenientWords = &mime.WordDecoder{CharsetReader: func(name string, r io.Reader) (io.Reader, error) {
	if cr, err := charset.Reader(name, r); err == nil {
		return cr, nil
	}
	return r, nil
}}

var filename2231 = regexp.MustCompile(`(?i)filename\*=([a-z0-9_-]+)'[^']*'([^;\s]+)`)

// ext2231 decodes a file name in an RFC 2231 charset other than UTF-8
// (mime.ParseMediaType knows only UTF-8 and US-ASCII).
func ext2231(disposition string) string {
	m := filename2231.FindStringSubmatch(disposition)
	if m == nil {
		return ""
	}
	raw, err := url.PathUnescape(m[2])
	if err != nil {
		return ""
	}
	r, err := charset.Reader(m[1], strings.NewReader(raw))
	if err != nil {
		return ""
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return ""
	}
	return string(b)
}

var words = &mime.WordDecoder{CharsetReader: charset.Reader}

func (m *Mail) walk(h textproto.Header, body io.Reader, depth int) error {
	if depth > maxDepth {
		return errors.New("multiparts nested too deep")
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		mt, params = "text/plain", map[string]string{}
	}
	if strings.HasPrefix(mt, "multipart/") {
		if params["boundary"] == "" {
			return fmt.Errorf("%s without boundary", mt)
		}
		mr := textproto.NewMultipartReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %v", mt, err)
			}
			if err := m.walk(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	var r io.Reader
	switch enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))); enc {
	case "", "7bit", "8bit", "binary":
		r = body
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body) // line breaks are skipped
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	default:
		return fmt.Errorf("unknown transfer encoding %q", enc)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("part %s: %v", mt, err)
	}
	p := &Part{ContentType: mt, Data: data}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	p.Filename = dparams["filename"]
	if p.Filename == "" {
		p.Filename = ext2231(h.Get("Content-Disposition"))
	}
	if p.Filename == "" {
		p.Filename = params["name"]
	}
	if dec, err := words.DecodeHeader(p.Filename); err == nil {
		p.Filename = dec
	}
	p.Attachment = disp == "attachment" || p.Filename != ""
	m.Parts = append(m.Parts, p)
	return nil
}
