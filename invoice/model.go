package invoice

import (
	"fmt"
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// An Invoice is the syntax-neutral EN 16931 view of a document: the
// business terms (BT-n) and groups (BG-n) the gateway routes, lists and
// renders by. Values keep the text as written and where it came from; money
// is exact (never float64).
type Invoice struct {
	Doc DocType `json:"doc_type"`

	Number           Text   `json:"number"`            // BT-1
	IssueDate        Text   `json:"issue_date"`        // BT-2 (YYYY-MM-DD)
	TypeCode         Text   `json:"type_code"`         // BT-3
	Currency         Text   `json:"currency"`          // BT-5
	DueDate          Text   `json:"due_date"`          // BT-9
	BuyerReference   Text   `json:"buyer_reference"`   // BT-10, the Leitweg-ID in XRechnung
	OrderReference   Text   `json:"order_reference"`   // BT-13
	Specification    Text   `json:"specification"`     // BT-24
	Notes            []Text `json:"notes,omitempty"`   // BT-22
	PaymentTerms     Text   `json:"payment_terms"`     // BT-20
	PaymentIBANs     []Text `json:"payment_ibans"`     // BT-84
	PrecedingInvoice Text   `json:"preceding_invoice"` // BT-25

	Seller Party `json:"seller"` // BG-4
	Buyer  Party `json:"buyer"`  // BG-7

	LineTotal      Amount `json:"line_total"`      // BT-106
	TaxExclusive   Amount `json:"tax_exclusive"`   // BT-109
	TaxTotal       Amount `json:"tax_total"`       // BT-110
	TaxInclusive   Amount `json:"tax_inclusive"`   // BT-112
	Prepaid        Amount `json:"prepaid"`         // BT-113
	Payable        Amount `json:"payable"`         // BT-115
	AllowanceTotal Amount `json:"allowance_total"` // BT-107
	ChargeTotal    Amount `json:"charge_total"`    // BT-108

	VAT   []VATBreakdown `json:"vat"`   // BG-23
	Lines []Line         `json:"lines"` // BG-25
}

// A Text is a value as written in the document, with its location.
type Text struct {
	Value string `json:"value"`
	At    string `json:"at,omitempty"` // XPath of the element it came from
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

// A Party is a seller or buyer (BG-4, BG-7).
type Party struct {
	Name      Text    `json:"name"`       // BT-27 / BT-44
	TradeName Text    `json:"trade_name"` // BT-28 / BT-45
	VATID     Text    `json:"vat_id"`     // BT-31 / BT-48
	Endpoint  Text    `json:"endpoint"`   // BT-34 / BT-49
	Address   Address `json:"address"`    // BG-5 / BG-8
	Contact   Contact `json:"contact"`    // BG-6 / BG-9
}

// An Address is a postal address (BG-5, BG-8).
type Address struct {
	Street   Text `json:"street"`
	City     Text `json:"city"`
	PostCode Text `json:"post_code"`
	Country  Text `json:"country"`
}

// A Contact is a contact point (BG-6, BG-9).
type Contact struct {
	Name  Text `json:"name"`
	Phone Text `json:"phone"`
	Email Text `json:"email"`
}

// A VATBreakdown is one VAT category subtotal (BG-23).
type VATBreakdown struct {
	Category Text   `json:"category"` // BT-118
	Rate     Text   `json:"rate"`     // BT-119
	Base     Amount `json:"base"`     // BT-116
	Tax      Amount `json:"tax"`      // BT-117
}

// A Line is an invoice line (BG-25).
type Line struct {
	ID          Text   `json:"id"`           // BT-126
	Quantity    Text   `json:"quantity"`     // BT-129
	Unit        Text   `json:"unit"`         // BT-130
	Net         Amount `json:"net"`          // BT-131
	Name        Text   `json:"name"`         // BT-153
	Description Text   `json:"description"`  // BT-154
	Price       Amount `json:"price"`        // BT-146
	VATCategory Text   `json:"vat_category"` // BT-151
	VATRate     Text   `json:"vat_rate"`     // BT-152
}

// read maps a parsed UBL or CII document to the model. Absent terms stay
// empty; read fails only for documents that are not invoices.
func read(root *node) (*Invoice, error) {
	switch t := docTypeOf(root); t {
	case UBLInvoice, UBLCreditNote:
		return readUBL(root, t), nil
	case CIIInvoice:
		return readCII(root), nil
	}
	return nil, fmt.Errorf("invoice: read: root element {%s}%s is not an invoice", root.Space, root.Local)
}

func text(n *node, path string) Text {
	e := n.First(path)
	if e == nil {
		return Text{}
	}
	return Text{Value: xmltree.NormSpace(e.Value()), At: e.Path()}
}

func texts(n *node, path string) []Text {
	var out []Text
	for _, e := range n.All(path) {
		out = append(out, Text{Value: xmltree.NormSpace(e.Value()), At: e.Path()})
	}
	return out
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

func readUBL(r *node, t DocType) *Invoice {
	line, typeCode, qty := "cac:InvoiceLine", "cbc:InvoiceTypeCode", "cbc:InvoicedQuantity"
	if t == UBLCreditNote {
		line, typeCode, qty = "cac:CreditNoteLine", "cbc:CreditNoteTypeCode", "cbc:CreditedQuantity"
	}
	inv := &Invoice{
		Doc:              t,
		Number:           text(r, "cbc:ID"),
		IssueDate:        text(r, "cbc:IssueDate"),
		TypeCode:         text(r, typeCode),
		Currency:         text(r, "cbc:DocumentCurrencyCode"),
		DueDate:          text(r, "cbc:DueDate"),
		BuyerReference:   text(r, "cbc:BuyerReference"),
		OrderReference:   text(r, "cac:OrderReference/cbc:ID"),
		Specification:    text(r, "cbc:CustomizationID"),
		Notes:            texts(r, "cbc:Note"),
		PaymentTerms:     text(r, "cac:PaymentTerms/cbc:Note"),
		PaymentIBANs:     texts(r, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
		PrecedingInvoice: text(r, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
		Seller:           ublParty(r.First("cac:AccountingSupplierParty/cac:Party")),
		Buyer:            ublParty(r.First("cac:AccountingCustomerParty/cac:Party")),
		LineTotal:        amount(r, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
		TaxExclusive:     amount(r, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
		TaxInclusive:     amount(r, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
		Prepaid:          amount(r, "cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
		Payable:          amount(r, "cac:LegalMonetaryTotal/cbc:PayableAmount"),
		AllowanceTotal:   amount(r, "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount"),
		ChargeTotal:      amount(r, "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount"),
	}
	// BT-110 is the TaxTotal/TaxAmount in the document currency.
	for _, tt := range r.All("cac:TaxTotal/cbc:TaxAmount") {
		if c, _ := tt.Attr("currencyID"); c == inv.Currency.Value {
			inv.TaxTotal = amount(tt.Parent, "cbc:TaxAmount")
			break
		}
	}
	for _, st := range r.All("cac:TaxTotal/cac:TaxSubtotal") {
		inv.VAT = append(inv.VAT, VATBreakdown{
			Category: text(st, "cac:TaxCategory/cbc:ID"),
			Rate:     text(st, "cac:TaxCategory/cbc:Percent"),
			Base:     amount(st, "cbc:TaxableAmount"),
			Tax:      amount(st, "cbc:TaxAmount"),
		})
	}
	for _, l := range r.All(line) {
		q := text(l, qty)
		unit := ""
		if e := l.First(qty); e != nil {
			unit, _ = e.Attr("unitCode")
		}
		inv.Lines = append(inv.Lines, Line{
			ID:          text(l, "cbc:ID"),
			Quantity:    q,
			Unit:        Text{Value: unit, At: q.At},
			Net:         amount(l, "cbc:LineExtensionAmount"),
			Name:        text(l, "cac:Item/cbc:Name"),
			Description: text(l, "cac:Item/cbc:Description"),
			Price:       amount(l, "cac:Price/cbc:PriceAmount"),
			VATCategory: text(l, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
			VATRate:     text(l, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
		})
	}
	return inv
}

func ublParty(p *node) Party {
	if p == nil {
		return Party{}
	}
	var vat Text
	for _, s := range p.All("cac:PartyTaxScheme") {
		if xmltree.NormSpace(s.Str("cac:TaxScheme/cbc:ID")) == "VAT" {
			vat = text(s, "cbc:CompanyID")
			break
		}
	}
	return Party{
		Name:      text(p, "cac:PartyLegalEntity/cbc:RegistrationName"),
		TradeName: text(p, "cac:PartyName/cbc:Name"),
		VATID:     vat,
		Endpoint:  text(p, "cbc:EndpointID"),
		Address: Address{
			Street:   text(p, "cac:PostalAddress/cbc:StreetName"),
			City:     text(p, "cac:PostalAddress/cbc:CityName"),
			PostCode: text(p, "cac:PostalAddress/cbc:PostalZone"),
			Country:  text(p, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
		},
		Contact: Contact{
			Name:  text(p, "cac:Contact/cbc:Name"),
			Phone: text(p, "cac:Contact/cbc:Telephone"),
			Email: text(p, "cac:Contact/cbc:ElectronicMail"),
		},
	}
}

func readCII(r *node) *Invoice {
	const (
		doc   = "rsm:ExchangedDocument/"
		tx    = "rsm:SupplyChainTradeTransaction/"
		agree = tx + "ram:ApplicableHeaderTradeAgreement/"
		settl = tx + "ram:ApplicableHeaderTradeSettlement/"
		sum   = settl + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
	)
	inv := &Invoice{
		Doc:              CIIInvoice,
		Number:           text(r, doc+"ram:ID"),
		IssueDate:        ciiDate(r.First(doc + "ram:IssueDateTime/udt:DateTimeString")),
		TypeCode:         text(r, doc+"ram:TypeCode"),
		Currency:         text(r, settl+"ram:InvoiceCurrencyCode"),
		DueDate:          ciiDate(r.First(settl + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")),
		BuyerReference:   text(r, agree+"ram:BuyerReference"),
		OrderReference:   text(r, agree+"ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
		Specification:    text(r, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
		Notes:            texts(r, doc+"ram:IncludedNote/ram:Content"),
		PaymentTerms:     text(r, settl+"ram:SpecifiedTradePaymentTerms/ram:Description"),
		PaymentIBANs:     texts(r, settl+"ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
		PrecedingInvoice: text(r, settl+"ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
		Seller:           ciiParty(r.First(agree + "ram:SellerTradeParty")),
		Buyer:            ciiParty(r.First(agree + "ram:BuyerTradeParty")),
		LineTotal:        amount(r, sum+"ram:LineTotalAmount"),
		TaxExclusive:     amount(r, sum+"ram:TaxBasisTotalAmount"),
		TaxInclusive:     amount(r, sum+"ram:GrandTotalAmount"),
		Prepaid:          amount(r, sum+"ram:TotalPrepaidAmount"),
		Payable:          amount(r, sum+"ram:DuePayableAmount"),
		AllowanceTotal:   amount(r, sum+"ram:AllowanceTotalAmount"),
		ChargeTotal:      amount(r, sum+"ram:ChargeTotalAmount"),
	}
	for _, tt := range r.All(sum + "ram:TaxTotalAmount") {
		if c, _ := tt.Attr("currencyID"); c == inv.Currency.Value {
			inv.TaxTotal = amount(tt.Parent, "ram:TaxTotalAmount")
			break
		}
	}
	for _, a := range []*Amount{&inv.LineTotal, &inv.TaxExclusive, &inv.TaxInclusive, &inv.Prepaid, &inv.Payable, &inv.AllowanceTotal, &inv.ChargeTotal} {
		if a.Raw != "" && a.Currency == "" {
			a.Currency = inv.Currency.Value
		}
	}
	for _, t := range r.All(settl + "ram:ApplicableTradeTax") {
		inv.VAT = append(inv.VAT, VATBreakdown{
			Category: text(t, "ram:CategoryCode"),
			Rate:     text(t, "ram:RateApplicablePercent"),
			Base:     withCurrency(amount(t, "ram:BasisAmount"), inv.Currency.Value),
			Tax:      withCurrency(amount(t, "ram:CalculatedAmount"), inv.Currency.Value),
		})
	}
	for _, l := range r.All(tx + "ram:IncludedSupplyChainTradeLineItem") {
		q := l.First("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
		unit, _ := q.Attr("unitCode")
		inv.Lines = append(inv.Lines, Line{
			ID:          text(l, "ram:AssociatedDocumentLineDocument/ram:LineID"),
			Quantity:    text(l, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
			Unit:        Text{Value: unit, At: q.Path()},
			Net:         withCurrency(amount(l, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"), inv.Currency.Value),
			Name:        text(l, "ram:SpecifiedTradeProduct/ram:Name"),
			Description: text(l, "ram:SpecifiedTradeProduct/ram:Description"),
			Price:       withCurrency(amount(l, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"), inv.Currency.Value),
			VATCategory: text(l, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"),
			VATRate:     text(l, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
		})
	}
	return inv
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
	var vat Text
	for _, r := range p.All("ram:SpecifiedTaxRegistration/ram:ID") {
		if s, _ := r.Attr("schemeID"); s == "VA" {
			vat = Text{Value: xmltree.NormSpace(r.Value()), At: r.Path()}
			break
		}
	}
	return Party{
		Name:      text(p, "ram:Name"),
		TradeName: text(p, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
		VATID:     vat,
		Endpoint:  text(p, "ram:URIUniversalCommunication/ram:URIID"),
		Address: Address{
			Street:   text(p, "ram:PostalTradeAddress/ram:LineOne"),
			City:     text(p, "ram:PostalTradeAddress/ram:CityName"),
			PostCode: text(p, "ram:PostalTradeAddress/ram:PostcodeCode"),
			Country:  text(p, "ram:PostalTradeAddress/ram:CountryID"),
		},
		Contact: Contact{
			Name:  text(p, "ram:DefinedTradeContact/ram:PersonName"),
			Phone: text(p, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
			Email: text(p, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
		},
	}
}
