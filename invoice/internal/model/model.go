// Package model reads the syntax-neutral EN 16931 model of a parsed UBL or
// CII invoice: the business terms the gateway routes, lists and renders
// by. Package invoice re-exports its types; the rules never read it.
package model

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// An Invoice is the syntax-neutral EN 16931 view of a document: the
// business terms (BT-n) and groups (BG-n) the gateway routes, lists and
// renders by. Values keep the text as written and where it came from; money
// is exact (never float64). Dates are YYYY-MM-DD where the document wrote a
// date in a known format, else as written.
type Invoice struct {
	Doc DocType `json:"doc_type"`

	Number          Text   `json:"number"`           // BT-1
	IssueDate       Text   `json:"issue_date"`       // BT-2
	TypeCode        Text   `json:"type_code"`        // BT-3
	Currency        Text   `json:"currency"`         // BT-5
	TaxCurrency     Text   `json:"tax_currency"`     // BT-6
	TaxPointDate    Text   `json:"tax_point_date"`   // BT-7
	TaxPointCode    Text   `json:"tax_point_code"`   // BT-8
	DueDate         Text   `json:"due_date"`         // BT-9
	BuyerReference  Text   `json:"buyer_reference"`  // BT-10, the Leitweg-ID in XRechnung
	PaymentTerms    Text   `json:"payment_terms"`    // BT-20
	Notes           []Note `json:"notes,omitempty"`  // BG-1
	BusinessProcess Text   `json:"business_process"` // BT-23
	Specification   Text   `json:"specification"`    // BT-24

	References        References  `json:"references"`                   // BT-11 to BT-19
	PrecedingInvoices []Reference `json:"preceding_invoices,omitempty"` // BG-3

	Seller            Party    `json:"seller"`             // BG-4
	Buyer             Party    `json:"buyer"`              // BG-7
	Payee             Party    `json:"payee"`              // BG-10
	TaxRepresentative Party    `json:"tax_representative"` // BG-11
	Delivery          Delivery `json:"delivery"`           // BG-13
	Period            Period   `json:"period"`             // BG-14

	Payment           []PaymentMeans    `json:"payment,omitempty"`            // BG-16
	RemittanceInfo    Text              `json:"remittance_info"`              // BT-83
	CreditorID        Text              `json:"creditor_id"`                  // BT-90
	MandateReference  Text              `json:"mandate_reference"`            // BT-89
	AllowancesCharges []AllowanceCharge `json:"allowances_charges,omitempty"` // BG-20, BG-21

	LineTotal      Amount `json:"line_total"`      // BT-106
	AllowanceTotal Amount `json:"allowance_total"` // BT-107
	ChargeTotal    Amount `json:"charge_total"`    // BT-108
	TaxExclusive   Amount `json:"tax_exclusive"`   // BT-109
	TaxTotal       Amount `json:"tax_total"`       // BT-110
	TaxTotalVATCur Amount `json:"tax_total_vat"`   // BT-111, in the VAT accounting currency
	TaxInclusive   Amount `json:"tax_inclusive"`   // BT-112
	Prepaid        Amount `json:"prepaid"`         // BT-113
	Rounding       Amount `json:"rounding"`        // BT-114
	Payable        Amount `json:"payable"`         // BT-115

	VAT         []VATBreakdown `json:"vat"`                   // BG-23
	Attachments []Attachment   `json:"attachments,omitempty"` // BG-24
	Lines       []Line         `json:"lines"`                 // BG-25
}

// A Text is a value as written in the document, with its location.
type Text struct {
	Value string `json:"value"`
	At    string `json:"at,omitempty"` // XPath of the element it came from
	// Scheme is the identifier's scheme or list (schemeID, listID), where
	// the document names one.
	Scheme string `json:"scheme,omitempty"`
}

// An Amount is a decimal amount as written, with its currency and location.
// Value is nil when the element is absent or not a decimal.
type Amount struct {
	Raw      string   `json:"raw"`
	Value    *big.Rat `json:"-"`
	Currency string   `json:"currency,omitempty"`
	At       string   `json:"at,omitempty"`
}

// String formats the amount as written, with its currency.
func (a Amount) String() string {
	if a.Raw == "" {
		return ""
	}
	if a.Currency == "" {
		return a.Raw
	}
	return a.Raw + " " + a.Currency
}

// A Note is an invoice note (BG-1): its text (BT-22) and subject code
// (BT-21). A UBL note written "#ADU#text", as XRechnung has it, has the
// subject ADU and the text "text".
type Note struct {
	Subject Text `json:"subject"` // BT-21
	Text    Text `json:"text"`    // BT-22
}

// References are the document's references to the buyer's and seller's
// business documents (BT-11 to BT-19).
type References struct {
	Project         Text `json:"project"`          // BT-11
	Contract        Text `json:"contract"`         // BT-12
	PurchaseOrder   Text `json:"purchase_order"`   // BT-13
	SalesOrder      Text `json:"sales_order"`      // BT-14
	ReceivingAdvice Text `json:"receiving_advice"` // BT-15
	DespatchAdvice  Text `json:"despatch_advice"`  // BT-16
	Tender          Text `json:"tender"`           // BT-17
	InvoicedObject  Text `json:"invoiced_object"`  // BT-18
	BuyerAccounting Text `json:"buyer_accounting"` // BT-19
}

// A Reference is a preceding invoice (BG-3): its number and issue date.
type Reference struct {
	ID   Text `json:"id"`   // BT-25
	Date Text `json:"date"` // BT-26
}

// A Party is a seller, buyer, payee or tax representative (BG-4, BG-7,
// BG-10, BG-11).
type Party struct {
	Name      Text    `json:"name"`       // BT-27, BT-44, BT-59, BT-62
	TradeName Text    `json:"trade_name"` // BT-28, BT-45
	IDs       []Text  `json:"ids"`        // BT-29, BT-46, BT-60
	LegalID   Text    `json:"legal_id"`   // BT-30, BT-47, BT-61
	VATID     Text    `json:"vat_id"`     // BT-31, BT-48, BT-63
	TaxNumber Text    `json:"tax_number"` // BT-32
	LegalInfo Text    `json:"legal_info"` // BT-33
	Endpoint  Text    `json:"endpoint"`   // BT-34, BT-49
	Address   Address `json:"address"`    // BG-5, BG-8, BG-12
	Contact   Contact `json:"contact"`    // BG-6, BG-9
}

// An Address is a postal address (BG-5, BG-8, BG-12, BG-15).
type Address struct {
	Street      Text `json:"street"` // line 1
	Line2       Text `json:"line2"`  // line 2
	Line3       Text `json:"line3"`  // line 3
	City        Text `json:"city"`
	PostCode    Text `json:"post_code"`
	Subdivision Text `json:"subdivision"`
	Country     Text `json:"country"`
}

// A Contact is a contact point (BG-6, BG-9).
type Contact struct {
	Name  Text `json:"name"`
	Phone Text `json:"phone"`
	Email Text `json:"email"`
}

// Delivery is where and when the goods or services were delivered (BG-13).
type Delivery struct {
	Name       Text    `json:"name"`        // BT-70
	LocationID Text    `json:"location_id"` // BT-71
	Date       Text    `json:"date"`        // BT-72
	Address    Address `json:"address"`     // BG-15
}

// A Period is an invoicing period (BG-14, BG-26).
type Period struct {
	Start Text `json:"start"`
	End   Text `json:"end"`
}

// PaymentMeans is one way the buyer may pay (BG-16 with BG-17 to BG-19).
type PaymentMeans struct {
	Code           Text `json:"code"`            // BT-81
	Text           Text `json:"text"`            // BT-82
	Account        Text `json:"account"`         // BT-84, the IBAN for SEPA
	AccountName    Text `json:"account_name"`    // BT-85
	BIC            Text `json:"bic"`             // BT-86
	CardNumber     Text `json:"card_number"`     // BT-87, the last digits only
	CardHolder     Text `json:"card_holder"`     // BT-88
	DebitedAccount Text `json:"debited_account"` // BT-91
}

// An AllowanceCharge is an allowance or charge of the document (BG-20,
// BG-21) or of a line (BG-27, BG-28).
type AllowanceCharge struct {
	Charge      bool   `json:"charge"`
	Amount      Amount `json:"amount"`       // BT-92, BT-99, BT-136, BT-141
	Base        Amount `json:"base"`         // BT-93, BT-100, BT-137, BT-142
	Percent     Text   `json:"percent"`      // BT-94, BT-101, BT-138, BT-143
	VATCategory Text   `json:"vat_category"` // BT-95, BT-102
	VATRate     Text   `json:"vat_rate"`     // BT-96, BT-103
	Reason      Text   `json:"reason"`       // BT-97, BT-104, BT-139, BT-144
	ReasonCode  Text   `json:"reason_code"`  // BT-98, BT-105, BT-140, BT-145
}

// A VATBreakdown is one VAT category subtotal (BG-23).
type VATBreakdown struct {
	Category        Text   `json:"category"`         // BT-118
	Rate            Text   `json:"rate"`             // BT-119
	Base            Amount `json:"base"`             // BT-116
	Tax             Amount `json:"tax"`              // BT-117
	ExemptionReason Text   `json:"exemption_reason"` // BT-120
	ExemptionCode   Text   `json:"exemption_code"`   // BT-121
}

// An Attachment is an additional supporting document (BG-24): a reference,
// a link or an embedded file.
type Attachment struct {
	ID          Text   `json:"id"`          // BT-122
	Description Text   `json:"description"` // BT-123
	URI         Text   `json:"uri"`         // BT-124
	Filename    string `json:"filename"`    // BT-125-2
	MIMEType    string `json:"mime_type"`   // BT-125-1
	// Size is the embedded file's length in bytes, 0 where none is embedded.
	Size int `json:"size"`
	// At is the XPath of the embedded file (BT-125).
	At     string `json:"at,omitempty"`
	base64 string
}

// Embedded reports whether the attachment carries a file (BT-125).
func (a Attachment) Embedded() bool { return a.At != "" }

// Content decodes the embedded file.
func (a Attachment) Content() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, a.base64))
	if err != nil {
		return nil, fmt.Errorf("invoice: attachment %s: %w", a.At, err)
	}
	return b, nil
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
		return -1
	}
	return r
}

// decodedLen is the length of the base64 text s once decoded.
func decodedLen(s string) int {
	n, pad := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		case '=':
			pad++
			n++
		default:
			n++
		}
	}
	return n/4*3 - pad
}

// A Line is an invoice line (BG-25).
type Line struct {
	ID                Text              `json:"id"`                 // BT-126
	Note              Text              `json:"note"`               // BT-127
	ObjectID          Text              `json:"object_id"`          // BT-128
	Quantity          Text              `json:"quantity"`           // BT-129
	Unit              Text              `json:"unit"`               // BT-130
	Net               Amount            `json:"net"`                // BT-131
	OrderLine         Text              `json:"order_line"`         // BT-132
	AccountingRef     Text              `json:"accounting_ref"`     // BT-133
	Period            Period            `json:"period"`             // BG-26
	AllowancesCharges []AllowanceCharge `json:"allowances_charges"` // BG-27, BG-28
	Price             Amount            `json:"price"`              // BT-146
	PriceDiscount     Amount            `json:"price_discount"`     // BT-147
	GrossPrice        Amount            `json:"gross_price"`        // BT-148
	BaseQuantity      Text              `json:"base_quantity"`      // BT-149
	BaseUnit          Text              `json:"base_unit"`          // BT-150
	VATCategory       Text              `json:"vat_category"`       // BT-151
	VATRate           Text              `json:"vat_rate"`           // BT-152
	Name              Text              `json:"name"`               // BT-153
	Description       Text              `json:"description"`        // BT-154
	SellerItemID      Text              `json:"seller_item_id"`     // BT-155
	BuyerItemID       Text              `json:"buyer_item_id"`      // BT-156
	StandardItemID    Text              `json:"standard_item_id"`   // BT-157
	Classifications   []Text            `json:"classifications"`    // BT-158
	OriginCountry     Text              `json:"origin_country"`     // BT-159
	Attributes        []Attribute       `json:"attributes"`         // BG-32
}

// An Attribute is an item attribute (BG-32).
type Attribute struct {
	Name  Text `json:"name"`  // BT-160
	Value Text `json:"value"` // BT-161
}

// node is an element of a parsed document.
type node = xmltree.Node

// Read maps a parsed UBL or CII document to the model. Absent terms stay
// empty; Read fails only for documents that are not invoices.
func Read(root *xmltree.Node) (*Invoice, error) {
	switch t := TypeOf(root); t {
	case UBLInvoice, UBLCreditNote:
		return readUBL(root, t), nil
	case CIIInvoice:
		return readCII(root), nil
	}
	return nil, fmt.Errorf("invoice: read: root element {%s}%s is not an invoice", root.Space, root.Local)
}

func text(n *node, path string) Text {
	if n == nil {
		return Text{}
	}
	return textOf(n.First(path))
}

func textOf(e *node) Text {
	if e == nil {
		return Text{}
	}
	t := Text{Value: xmltree.NormSpace(e.Value()), At: e.Path()}
	for _, a := range [...]string{"schemeID", "listID"} {
		if v, ok := e.Attr(a); ok {
			t.Scheme = xmltree.NormSpace(v)
			break
		}
	}
	return t
}

func texts(n *node, path string) []Text {
	var out []Text
	for _, e := range n.All(path) {
		out = append(out, textOf(e))
	}
	return out
}

// attr returns an attribute of the element at path as a Text.
func attr(n *node, path, name string) Text {
	e := n.First(path)
	if e == nil {
		return Text{}
	}
	v, ok := e.Attr(name)
	if !ok {
		return Text{}
	}
	return Text{Value: xmltree.NormSpace(v), At: e.Path() + "/@" + name}
}

func amount(n *node, path string) Amount {
	e := n.First(path)
	if e == nil {
		return Amount{}
	}
	raw := xmltree.NormSpace(e.Value())
	a := Amount{Raw: raw, At: e.Path()}
	a.Currency, _ = e.Attr("currencyID")
	if d, ok := xmltree.Dec(raw); ok {
		a.Value = d
	}
	return a
}

// firstText returns the first non-empty text.
func firstText(ts ...Text) Text {
	for _, t := range ts {
		if t.Value != "" {
			return t
		}
	}
	return Text{}
}

// note splits an XRechnung note "#ADU#text" into its subject and text.
func note(subject, t Text) Note {
	v := t.Value
	if subject.Value == "" && len(v) > 2 && v[0] == '#' {
		if i := strings.IndexByte(v[1:], '#'); i > 0 && i <= 3 {
			subject = Text{Value: v[1 : i+1], At: t.At}
			t.Value = strings.TrimSpace(v[i+2:])
		}
	}
	return Note{Subject: subject, Text: t}
}

func readUBL(r *node, t DocType) *Invoice {
	line, typeCode, qty := "cac:InvoiceLine", "cbc:InvoiceTypeCode", "cbc:InvoicedQuantity"
	if t == UBLCreditNote {
		line, typeCode, qty = "cac:CreditNoteLine", "cbc:CreditNoteTypeCode", "cbc:CreditedQuantity"
	}
	inv := &Invoice{
		Doc:             t,
		Number:          text(r, "cbc:ID"),
		IssueDate:       text(r, "cbc:IssueDate"),
		TypeCode:        text(r, typeCode),
		Currency:        text(r, "cbc:DocumentCurrencyCode"),
		TaxCurrency:     text(r, "cbc:TaxCurrencyCode"),
		TaxPointDate:    text(r, "cbc:TaxPointDate"),
		TaxPointCode:    text(r, "cac:InvoicePeriod/cbc:DescriptionCode"),
		DueDate:         firstText(text(r, "cbc:DueDate"), text(r, "cac:PaymentMeans/cbc:PaymentDueDate")),
		BuyerReference:  text(r, "cbc:BuyerReference"),
		PaymentTerms:    text(r, "cac:PaymentTerms/cbc:Note"),
		BusinessProcess: text(r, "cbc:ProfileID"),
		Specification:   text(r, "cbc:CustomizationID"),
		References: References{
			Project:         text(r, "cac:ProjectReference/cbc:ID"),
			Contract:        text(r, "cac:ContractDocumentReference/cbc:ID"),
			PurchaseOrder:   text(r, "cac:OrderReference/cbc:ID"),
			SalesOrder:      text(r, "cac:OrderReference/cbc:SalesOrderID"),
			ReceivingAdvice: text(r, "cac:ReceiptDocumentReference/cbc:ID"),
			DespatchAdvice:  text(r, "cac:DespatchDocumentReference/cbc:ID"),
			Tender:          text(r, "cac:OriginatorDocumentReference/cbc:ID"),
			BuyerAccounting: text(r, "cbc:AccountingCost"),
		},
		Seller:            ublParty(r.First("cac:AccountingSupplierParty/cac:Party")),
		Buyer:             ublParty(r.First("cac:AccountingCustomerParty/cac:Party")),
		Payee:             ublParty(r.First("cac:PayeeParty")),
		TaxRepresentative: ublParty(r.First("cac:TaxRepresentativeParty")),
		Delivery: Delivery{
			Name:       text(r, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name"),
			LocationID: text(r, "cac:Delivery/cac:DeliveryLocation/cbc:ID"),
			Date:       text(r, "cac:Delivery/cbc:ActualDeliveryDate"),
			Address:    ublAddress(r.First("cac:Delivery/cac:DeliveryLocation/cac:Address")),
		},
		Period:            Period{text(r, "cac:InvoicePeriod/cbc:StartDate"), text(r, "cac:InvoicePeriod/cbc:EndDate")},
		RemittanceInfo:    text(r, "cac:PaymentMeans/cbc:PaymentID"),
		MandateReference:  text(r, "cac:PaymentMeans/cac:PaymentMandate/cbc:ID"),
		LineTotal:         amount(r, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
		AllowanceTotal:    amount(r, "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount"),
		ChargeTotal:       amount(r, "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount"),
		TaxExclusive:      amount(r, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
		TaxInclusive:      amount(r, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
		Prepaid:           amount(r, "cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
		Rounding:          amount(r, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount"),
		Payable:           amount(r, "cac:LegalMonetaryTotal/cbc:PayableAmount"),
		AllowancesCharges: ublAllowancesCharges(r),
	}
	for _, n := range r.All("cbc:Note") {
		inv.Notes = append(inv.Notes, note(Text{}, textOf(n)))
	}
	// The creditor identifier (BT-90) is the seller's or payee's party
	// identifier with scheme SEPA.
	for _, p := range []*node{r.First("cac:AccountingSupplierParty/cac:Party"), r.First("cac:PayeeParty")} {
		if p == nil {
			continue
		}
		for _, id := range p.All("cac:PartyIdentification/cbc:ID") {
			if s, _ := id.Attr("schemeID"); s == "SEPA" {
				inv.CreditorID = textOf(id)
			}
		}
	}
	for _, d := range r.All("cac:AdditionalDocumentReference") {
		switch xmltree.NormSpace(d.Str("cbc:DocumentTypeCode")) {
		case "130":
			inv.References.InvoicedObject = text(d, "cbc:ID")
			continue
		case "50":
			if t == UBLCreditNote && inv.References.Project.Value == "" {
				inv.References.Project = text(d, "cbc:ID")
				continue
			}
		}
		a := Attachment{
			ID:          text(d, "cbc:ID"),
			Description: text(d, "cbc:DocumentDescription"),
			URI:         text(d, "cac:Attachment/cac:ExternalReference/cbc:URI"),
		}
		embed(&a, d.First("cac:Attachment/cbc:EmbeddedDocumentBinaryObject"))
		inv.Attachments = append(inv.Attachments, a)
	}
	for _, b := range r.All("cac:BillingReference/cac:InvoiceDocumentReference") {
		inv.PrecedingInvoices = append(inv.PrecedingInvoices, Reference{text(b, "cbc:ID"), text(b, "cbc:IssueDate")})
	}
	for _, pm := range r.All("cac:PaymentMeans") {
		inv.Payment = append(inv.Payment, PaymentMeans{
			Code:           text(pm, "cbc:PaymentMeansCode"),
			Text:           attr(pm, "cbc:PaymentMeansCode", "name"),
			Account:        text(pm, "cac:PayeeFinancialAccount/cbc:ID"),
			AccountName:    text(pm, "cac:PayeeFinancialAccount/cbc:Name"),
			BIC:            text(pm, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
			CardNumber:     text(pm, "cac:CardAccount/cbc:PrimaryAccountNumberID"),
			CardHolder:     text(pm, "cac:CardAccount/cbc:HolderName"),
			DebitedAccount: text(pm, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"),
		})
	}
	// BT-110 is the TaxTotal/TaxAmount in the document currency, BT-111
	// the one in the VAT accounting currency.
	for _, tt := range r.All("cac:TaxTotal/cbc:TaxAmount") {
		switch c, _ := tt.Attr("currencyID"); {
		case c == inv.Currency.Value && inv.TaxTotal.Raw == "":
			inv.TaxTotal = amount(tt.Parent, "cbc:TaxAmount")
		case c == inv.TaxCurrency.Value && c != "":
			inv.TaxTotalVATCur = amount(tt.Parent, "cbc:TaxAmount")
		}
	}
	for _, st := range r.All("cac:TaxTotal/cac:TaxSubtotal") {
		inv.VAT = append(inv.VAT, VATBreakdown{
			Category:        text(st, "cac:TaxCategory/cbc:ID"),
			Rate:            text(st, "cac:TaxCategory/cbc:Percent"),
			Base:            amount(st, "cbc:TaxableAmount"),
			Tax:             amount(st, "cbc:TaxAmount"),
			ExemptionReason: text(st, "cac:TaxCategory/cbc:TaxExemptionReason"),
			ExemptionCode:   text(st, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
		})
	}
	for _, l := range r.All(line) {
		ln := Line{
			ID:                text(l, "cbc:ID"),
			Note:              text(l, "cbc:Note"),
			Quantity:          text(l, qty),
			Unit:              attr(l, qty, "unitCode"),
			Net:               amount(l, "cbc:LineExtensionAmount"),
			OrderLine:         text(l, "cac:OrderLineReference/cbc:LineID"),
			AccountingRef:     text(l, "cbc:AccountingCost"),
			Period:            Period{text(l, "cac:InvoicePeriod/cbc:StartDate"), text(l, "cac:InvoicePeriod/cbc:EndDate")},
			AllowancesCharges: ublAllowancesCharges(l),
			Price:             amount(l, "cac:Price/cbc:PriceAmount"),
			PriceDiscount:     amount(l, "cac:Price/cac:AllowanceCharge/cbc:Amount"),
			GrossPrice:        amount(l, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount"),
			BaseQuantity:      text(l, "cac:Price/cbc:BaseQuantity"),
			BaseUnit:          attr(l, "cac:Price/cbc:BaseQuantity", "unitCode"),
			VATCategory:       text(l, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
			VATRate:           text(l, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
			Name:              text(l, "cac:Item/cbc:Name"),
			Description:       text(l, "cac:Item/cbc:Description"),
			SellerItemID:      text(l, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
			BuyerItemID:       text(l, "cac:Item/cac:BuyersItemIdentification/cbc:ID"),
			StandardItemID:    text(l, "cac:Item/cac:StandardItemIdentification/cbc:ID"),
			Classifications:   texts(l, "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode"),
			OriginCountry:     text(l, "cac:Item/cac:OriginCountry/cbc:IdentificationCode"),
		}
		for _, d := range l.All("cac:DocumentReference") {
			if xmltree.NormSpace(d.Str("cbc:DocumentTypeCode")) == "130" {
				ln.ObjectID = text(d, "cbc:ID")
			}
		}
		for _, p := range l.All("cac:Item/cac:AdditionalItemProperty") {
			ln.Attributes = append(ln.Attributes, Attribute{text(p, "cbc:Name"), text(p, "cbc:Value")})
		}
		inv.Lines = append(inv.Lines, ln)
	}
	return inv
}

// embed records the embedded file e (BT-125) of an attachment.
func embed(a *Attachment, e *node) {
	if e == nil {
		return
	}
	a.At = e.Path()
	a.MIMEType, _ = e.Attr("mimeCode")
	a.Filename, _ = e.Attr("filename")
	a.base64 = e.Value()
	a.Size = decodedLen(a.base64)
}

func ublAllowancesCharges(n *node) []AllowanceCharge {
	var out []AllowanceCharge
	for _, ac := range n.All("cac:AllowanceCharge") {
		out = append(out, AllowanceCharge{
			Charge:      xmltree.NormSpace(ac.Str("cbc:ChargeIndicator")) == "true",
			Amount:      amount(ac, "cbc:Amount"),
			Base:        amount(ac, "cbc:BaseAmount"),
			Percent:     text(ac, "cbc:MultiplierFactorNumeric"),
			VATCategory: text(ac, "cac:TaxCategory/cbc:ID"),
			VATRate:     text(ac, "cac:TaxCategory/cbc:Percent"),
			Reason:      text(ac, "cbc:AllowanceChargeReason"),
			ReasonCode:  text(ac, "cbc:AllowanceChargeReasonCode"),
		})
	}
	return out
}

func ublParty(p *node) Party {
	if p == nil {
		return Party{}
	}
	var vat, tax Text
	for _, s := range p.All("cac:PartyTaxScheme") {
		if xmltree.NormSpace(s.Str("cac:TaxScheme/cbc:ID")) == "VAT" {
			if vat.Value == "" {
				vat = text(s, "cbc:CompanyID")
			}
		} else if tax.Value == "" {
			tax = text(s, "cbc:CompanyID")
		}
	}
	var ids []Text
	for _, id := range p.All("cac:PartyIdentification/cbc:ID") {
		if s, _ := id.Attr("schemeID"); s != "SEPA" {
			ids = append(ids, textOf(id))
		}
	}
	return Party{
		Name:      firstText(text(p, "cac:PartyLegalEntity/cbc:RegistrationName"), text(p, "cac:PartyName/cbc:Name")),
		TradeName: text(p, "cac:PartyName/cbc:Name"),
		IDs:       ids,
		LegalID:   text(p, "cac:PartyLegalEntity/cbc:CompanyID"),
		VATID:     vat,
		TaxNumber: tax,
		LegalInfo: text(p, "cac:PartyLegalEntity/cbc:CompanyLegalForm"),
		Endpoint:  text(p, "cbc:EndpointID"),
		Address:   ublAddress(p.First("cac:PostalAddress")),
		Contact: Contact{
			Name:  text(p, "cac:Contact/cbc:Name"),
			Phone: text(p, "cac:Contact/cbc:Telephone"),
			Email: text(p, "cac:Contact/cbc:ElectronicMail"),
		},
	}
}

func ublAddress(a *node) Address {
	if a == nil {
		return Address{}
	}
	return Address{
		Street:      text(a, "cbc:StreetName"),
		Line2:       text(a, "cbc:AdditionalStreetName"),
		Line3:       text(a, "cac:AddressLine/cbc:Line"),
		City:        text(a, "cbc:CityName"),
		PostCode:    text(a, "cbc:PostalZone"),
		Subdivision: text(a, "cbc:CountrySubentity"),
		Country:     text(a, "cac:Country/cbc:IdentificationCode"),
	}
}

func readCII(r *node) *Invoice {
	const (
		doc   = "rsm:ExchangedDocument/"
		tx    = "rsm:SupplyChainTradeTransaction/"
		agree = tx + "ram:ApplicableHeaderTradeAgreement/"
		deliv = tx + "ram:ApplicableHeaderTradeDelivery/"
		settl = tx + "ram:ApplicableHeaderTradeSettlement/"
		sum   = settl + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
	)
	cur := xmltree.NormSpace(r.Str(settl + "ram:InvoiceCurrencyCode"))
	inv := &Invoice{
		Doc:             CIIInvoice,
		Number:          text(r, doc+"ram:ID"),
		IssueDate:       ciiDate(r.First(doc + "ram:IssueDateTime/udt:DateTimeString")),
		TypeCode:        text(r, doc+"ram:TypeCode"),
		Currency:        text(r, settl+"ram:InvoiceCurrencyCode"),
		TaxCurrency:     text(r, settl+"ram:TaxCurrencyCode"),
		TaxPointDate:    ciiDate(r.First(settl + "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString")),
		TaxPointCode:    text(r, settl+"ram:ApplicableTradeTax/ram:DueDateTypeCode"),
		DueDate:         ciiDate(r.First(settl + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")),
		BuyerReference:  text(r, agree+"ram:BuyerReference"),
		PaymentTerms:    text(r, settl+"ram:SpecifiedTradePaymentTerms/ram:Description"),
		BusinessProcess: text(r, "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
		Specification:   text(r, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
		References: References{
			Project:         text(r, agree+"ram:SpecifiedProcuringProject/ram:ID"),
			Contract:        text(r, agree+"ram:ContractReferencedDocument/ram:IssuerAssignedID"),
			PurchaseOrder:   text(r, agree+"ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
			SalesOrder:      text(r, agree+"ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"),
			ReceivingAdvice: text(r, deliv+"ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID"),
			DespatchAdvice:  text(r, deliv+"ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID"),
			BuyerAccounting: text(r, settl+"ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
		},
		Seller:            ciiParty(r.First(agree + "ram:SellerTradeParty")),
		Buyer:             ciiParty(r.First(agree + "ram:BuyerTradeParty")),
		Payee:             ciiParty(r.First(settl + "ram:PayeeTradeParty")),
		TaxRepresentative: ciiParty(r.First(agree + "ram:SellerTaxRepresentativeTradeParty")),
		Delivery: Delivery{
			Name:       text(r, deliv+"ram:ShipToTradeParty/ram:Name"),
			LocationID: firstText(text(r, deliv+"ram:ShipToTradeParty/ram:ID"), text(r, deliv+"ram:ShipToTradeParty/ram:GlobalID")),
			Date:       ciiDate(r.First(deliv + "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString")),
			Address:    ciiAddress(r.First(deliv + "ram:ShipToTradeParty/ram:PostalTradeAddress")),
		},
		Period: Period{
			ciiDate(r.First(settl + "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString")),
			ciiDate(r.First(settl + "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString")),
		},
		RemittanceInfo:    text(r, settl+"ram:PaymentReference"),
		CreditorID:        text(r, settl+"ram:CreditorReferenceID"),
		MandateReference:  text(r, settl+"ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"),
		AllowancesCharges: ciiAllowancesCharges(r.First(tx+"ram:ApplicableHeaderTradeSettlement"), cur),
		LineTotal:         withCurrency(amount(r, sum+"ram:LineTotalAmount"), cur),
		AllowanceTotal:    withCurrency(amount(r, sum+"ram:AllowanceTotalAmount"), cur),
		ChargeTotal:       withCurrency(amount(r, sum+"ram:ChargeTotalAmount"), cur),
		TaxExclusive:      withCurrency(amount(r, sum+"ram:TaxBasisTotalAmount"), cur),
		TaxInclusive:      withCurrency(amount(r, sum+"ram:GrandTotalAmount"), cur),
		Prepaid:           withCurrency(amount(r, sum+"ram:TotalPrepaidAmount"), cur),
		Rounding:          withCurrency(amount(r, sum+"ram:RoundingAmount"), cur),
		Payable:           withCurrency(amount(r, sum+"ram:DuePayableAmount"), cur),
	}
	for _, n := range r.All(doc + "ram:IncludedNote") {
		inv.Notes = append(inv.Notes, note(text(n, "ram:SubjectCode"), text(n, "ram:Content")))
	}
	for _, d := range r.All(agree + "ram:AdditionalReferencedDocument") {
		switch xmltree.NormSpace(d.Str("ram:TypeCode")) {
		case "130":
			inv.References.InvoicedObject = text(d, "ram:IssuerAssignedID")
			continue
		case "50":
			inv.References.Tender = text(d, "ram:IssuerAssignedID")
			continue
		}
		a := Attachment{
			ID:          text(d, "ram:IssuerAssignedID"),
			Description: text(d, "ram:Name"),
			URI:         text(d, "ram:URIID"),
		}
		embed(&a, d.First("ram:AttachmentBinaryObject"))
		inv.Attachments = append(inv.Attachments, a)
	}
	for _, b := range r.All(settl + "ram:InvoiceReferencedDocument") {
		inv.PrecedingInvoices = append(inv.PrecedingInvoices, Reference{
			text(b, "ram:IssuerAssignedID"), ciiDate(b.First("ram:FormattedIssueDateTime/qdt:DateTimeString"))})
	}
	for _, pm := range r.All(settl + "ram:SpecifiedTradeSettlementPaymentMeans") {
		inv.Payment = append(inv.Payment, PaymentMeans{
			Code:           text(pm, "ram:TypeCode"),
			Text:           text(pm, "ram:Information"),
			Account:        firstText(text(pm, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"), text(pm, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")),
			AccountName:    text(pm, "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
			BIC:            text(pm, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
			CardNumber:     text(pm, "ram:ApplicableTradeSettlementFinancialCard/ram:ID"),
			CardHolder:     text(pm, "ram:ApplicableTradeSettlementFinancialCard/ram:CardholderName"),
			DebitedAccount: text(pm, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID"),
		})
	}
	for _, tt := range r.All(sum + "ram:TaxTotalAmount") {
		switch c, _ := tt.Attr("currencyID"); {
		case c == cur && inv.TaxTotal.Raw == "":
			inv.TaxTotal = amount(tt.Parent, "ram:TaxTotalAmount")
		case c == inv.TaxCurrency.Value && c != "":
			inv.TaxTotalVATCur = amount(tt.Parent, "ram:TaxTotalAmount")
		}
	}
	for _, t := range r.All(settl + "ram:ApplicableTradeTax") {
		inv.VAT = append(inv.VAT, VATBreakdown{
			Category:        text(t, "ram:CategoryCode"),
			Rate:            text(t, "ram:RateApplicablePercent"),
			Base:            withCurrency(amount(t, "ram:BasisAmount"), cur),
			Tax:             withCurrency(amount(t, "ram:CalculatedAmount"), cur),
			ExemptionReason: text(t, "ram:ExemptionReason"),
			ExemptionCode:   text(t, "ram:ExemptionReasonCode"),
		})
	}
	for _, l := range r.All(tx + "ram:IncludedSupplyChainTradeLineItem") {
		const (
			agr  = "ram:SpecifiedLineTradeAgreement/"
			set  = "ram:SpecifiedLineTradeSettlement/"
			prod = "ram:SpecifiedTradeProduct/"
			qty  = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
		)
		ln := Line{
			ID:                text(l, "ram:AssociatedDocumentLineDocument/ram:LineID"),
			Note:              text(l, "ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content"),
			Quantity:          text(l, qty),
			Unit:              attr(l, qty, "unitCode"),
			Net:               withCurrency(amount(l, set+"ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"), cur),
			OrderLine:         text(l, agr+"ram:BuyerOrderReferencedDocument/ram:LineID"),
			AccountingRef:     text(l, set+"ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
			Period:            Period{ciiDate(l.First(set + "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString")), ciiDate(l.First(set + "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"))},
			AllowancesCharges: ciiAllowancesCharges(l.First("ram:SpecifiedLineTradeSettlement"), cur),
			Price:             withCurrency(amount(l, agr+"ram:NetPriceProductTradePrice/ram:ChargeAmount"), cur),
			PriceDiscount:     withCurrency(amount(l, agr+"ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount"), cur),
			GrossPrice:        withCurrency(amount(l, agr+"ram:GrossPriceProductTradePrice/ram:ChargeAmount"), cur),
			BaseQuantity:      firstText(text(l, agr+"ram:NetPriceProductTradePrice/ram:BasisQuantity"), text(l, agr+"ram:GrossPriceProductTradePrice/ram:BasisQuantity")),
			BaseUnit:          firstText(attr(l, agr+"ram:NetPriceProductTradePrice/ram:BasisQuantity", "unitCode"), attr(l, agr+"ram:GrossPriceProductTradePrice/ram:BasisQuantity", "unitCode")),
			VATCategory:       text(l, set+"ram:ApplicableTradeTax/ram:CategoryCode"),
			VATRate:           text(l, set+"ram:ApplicableTradeTax/ram:RateApplicablePercent"),
			Name:              text(l, prod+"ram:Name"),
			Description:       text(l, prod+"ram:Description"),
			SellerItemID:      text(l, prod+"ram:SellerAssignedID"),
			BuyerItemID:       text(l, prod+"ram:BuyerAssignedID"),
			StandardItemID:    text(l, prod+"ram:GlobalID"),
			Classifications:   texts(l, prod+"ram:DesignatedProductClassification/ram:ClassCode"),
			OriginCountry:     text(l, prod+"ram:OriginTradeCountry/ram:ID"),
		}
		for _, d := range l.All(set + "ram:AdditionalReferencedDocument") {
			if xmltree.NormSpace(d.Str("ram:TypeCode")) == "130" {
				ln.ObjectID = text(d, "ram:IssuerAssignedID")
			}
		}
		for _, p := range l.All(prod + "ram:ApplicableProductCharacteristic") {
			ln.Attributes = append(ln.Attributes, Attribute{text(p, "ram:Description"), text(p, "ram:Value")})
		}
		inv.Lines = append(inv.Lines, ln)
	}
	return inv
}

func ciiAllowancesCharges(n *node, cur string) []AllowanceCharge {
	if n == nil {
		return nil
	}
	var out []AllowanceCharge
	for _, ac := range n.All("ram:SpecifiedTradeAllowanceCharge") {
		out = append(out, AllowanceCharge{
			Charge:      xmltree.NormSpace(ac.Str("ram:ChargeIndicator/udt:Indicator")) == "true",
			Amount:      withCurrency(amount(ac, "ram:ActualAmount"), cur),
			Base:        withCurrency(amount(ac, "ram:BasisAmount"), cur),
			Percent:     text(ac, "ram:CalculationPercent"),
			VATCategory: text(ac, "ram:CategoryTradeTax/ram:CategoryCode"),
			VATRate:     text(ac, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
			Reason:      text(ac, "ram:Reason"),
			ReasonCode:  text(ac, "ram:ReasonCode"),
		})
	}
	return out
}

func withCurrency(a Amount, cur string) Amount {
	if a.Raw != "" && a.Currency == "" {
		a.Currency = cur
	}
	return a
}

// ciiDate turns a CII date (format 102, YYYYMMDD) into YYYY-MM-DD.
func ciiDate(e *node) Text {
	if e == nil {
		return Text{}
	}
	v := xmltree.NormSpace(e.Value())
	if f, _ := e.Attr("format"); f == "102" && len(v) == 8 {
		v = v[:4] + "-" + v[4:6] + "-" + v[6:]
	}
	return Text{Value: v, At: e.Path()}
}

func ciiParty(p *node) Party {
	if p == nil {
		return Party{}
	}
	var vat, tax Text
	for _, r := range p.All("ram:SpecifiedTaxRegistration/ram:ID") {
		switch s, _ := r.Attr("schemeID"); s {
		case "VA":
			if vat.Value == "" {
				vat = textOf(r)
			}
		case "FC":
			if tax.Value == "" {
				tax = textOf(r)
			}
		}
	}
	return Party{
		Name:      text(p, "ram:Name"),
		TradeName: text(p, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
		IDs:       append(texts(p, "ram:ID"), texts(p, "ram:GlobalID")...),
		LegalID:   text(p, "ram:SpecifiedLegalOrganization/ram:ID"),
		VATID:     vat,
		TaxNumber: tax,
		LegalInfo: text(p, "ram:Description"),
		Endpoint:  text(p, "ram:URIUniversalCommunication/ram:URIID"),
		Address:   ciiAddress(p.First("ram:PostalTradeAddress")),
		Contact: Contact{
			Name:  text(p, "ram:DefinedTradeContact/ram:PersonName"),
			Phone: text(p, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
			Email: text(p, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
		},
	}
}

func ciiAddress(a *node) Address {
	if a == nil {
		return Address{}
	}
	return Address{
		Street:      text(a, "ram:LineOne"),
		Line2:       text(a, "ram:LineTwo"),
		Line3:       text(a, "ram:LineThree"),
		City:        text(a, "ram:CityName"),
		PostCode:    text(a, "ram:PostcodeCode"),
		Subdivision: text(a, "ram:CountrySubDivisionName"),
		Country:     text(a, "ram:CountryID"),
	}
}

// A DocType is the kind of document by its root element.
type DocType uint8

// The document types.
const (
	UnknownDoc DocType = iota
	UBLInvoice
	UBLCreditNote
	CIIInvoice
)

func (t DocType) String() string {
	switch t {
	case UBLInvoice:
		return "ubl-invoice"
	case UBLCreditNote:
		return "ubl-creditnote"
	case CIIInvoice:
		return "cii"
	}
	return "unknown"
}

// TypeOf returns the document type of a parsed document by its root.
func TypeOf(root *xmltree.Node) DocType {
	switch {
	case root.Space == xmltree.NSInvoice && root.Local == "Invoice":
		return UBLInvoice
	case root.Space == xmltree.NSCreditNote && root.Local == "CreditNote":
		return UBLCreditNote
	case root.Space == xmltree.NSRSM && root.Local == "CrossIndustryInvoice":
		return CIIInvoice
	}
	return UnknownDoc
}
