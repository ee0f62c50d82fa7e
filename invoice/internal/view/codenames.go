package view

// Names of the codes a clerk meets on an invoice, in German and English,
// for the readable view. The validator's code lists (package schemas) hold
// the codes only, not their names, so this is a compact table of the codes
// in common use; a code not listed here is shown as written.
// TestCodeNames checks that every code named here is one the validator
// accepts in that place.

// codeList identifies a code list of the view and the validator's list it
// belongs to.
type codeList struct {
	key   string // schemas.CodeList key of the validator's list
	names map[string][2]string
}

var (
	// UNTDID 1001 document types (BT-3).
	docTypeNames = codeList{"cii/BR-CL-01/0", map[string][2]string{
		"326": {"Teilrechnung", "Partial invoice"},
		"380": {"Rechnung", "Invoice"},
		"381": {"Gutschrift", "Credit note"},
		"383": {"Belastungsanzeige", "Debit note"},
		"384": {"Rechnungskorrektur", "Corrected invoice"},
		"386": {"Vorauszahlungsrechnung", "Prepayment invoice"},
		"389": {"Gutschrift im Gutschriftsverfahren", "Self-billed invoice"},
		"261": {"Selbst ausgestellte Gutschrift", "Self billed credit note"},
		"751": {"Rechnungsinformation für Buchungszwecke", "Invoice information for accounting purposes"},
		"875": {"Teilrechnung (Bauleistung)", "Partial construction invoice"},
		"876": {"Teilschlussrechnung (Bauleistung)", "Partial final construction invoice"},
		"877": {"Schlussrechnung (Bauleistung)", "Final construction invoice"},
	}}
	// UNECE Recommendations 20 and 21 units (BT-130, BT-150).
	unitNames = codeList{"cii/BR-CL-23/0", map[string][2]string{
		"C62": {"Stück", "unit"},
		"H87": {"Stück", "piece"},
		"XPP": {"Stück", "piece"},
		"EA":  {"Stück", "each"},
		"PR":  {"Paar", "pair"},
		"SET": {"Satz", "set"},
		"LS":  {"pauschal", "lump sum"},
		"E48": {"Leistungseinheit", "service unit"},
		"P1":  {"Prozent", "percent"},
		"SEC": {"Sekunden", "seconds"},
		"MIN": {"Minuten", "minutes"},
		"HUR": {"Stunden", "hours"},
		"DAY": {"Tage", "days"},
		"WEE": {"Wochen", "weeks"},
		"MON": {"Monate", "months"},
		"ANN": {"Jahre", "years"},
		"GRM": {"g", "g"},
		"KGM": {"kg", "kg"},
		"TNE": {"t", "t"},
		"MMT": {"mm", "mm"},
		"CMT": {"cm", "cm"},
		"MTR": {"m", "m"},
		"KMT": {"km", "km"},
		"MTK": {"m²", "m²"},
		"MTQ": {"m³", "m³"},
		"LTR": {"l", "l"},
		"KWH": {"kWh", "kWh"},
		"XBX": {"Kartons", "boxes"},
		"XPK": {"Packungen", "packages"},
		"XPA": {"Päckchen", "packets"},
		"XRO": {"Rollen", "rolls"},
		"XBO": {"Flaschen", "bottles"},
		"XPX": {"Paletten", "pallets"},
	}}
	// UNTDID 5305 VAT categories (BT-95, BT-102, BT-118, BT-151).
	vatCategoryNames = codeList{"cii/BR-CL-17/0", map[string][2]string{
		"S":  {"Normalsatz", "Standard rate"},
		"Z":  {"Nullsatz", "Zero rated"},
		"E":  {"Steuerbefreit", "Exempt from VAT"},
		"AE": {"Steuerschuldnerschaft des Leistungsempfängers", "Reverse charge"},
		"K":  {"Innergemeinschaftliche Lieferung", "Intra-community supply"},
		"G":  {"Steuerfreie Ausfuhr", "Export outside the EU"},
		"O":  {"Nicht steuerbar", "Outside the scope of VAT"},
		"L":  {"IGIC (Kanarische Inseln)", "IGIC (Canary Islands)"},
		"M":  {"IPSI (Ceuta und Melilla)", "IPSI (Ceuta and Melilla)"},
		"B":  {"Übertragene Steuer (Italien)", "Transferred VAT (Italy)"},
	}}
	// UNTDID 4461 payment means (BT-81).
	paymentMeansNames = codeList{"cii/BR-CL-16/0", map[string][2]string{
		"1":   {"Nicht angegeben", "Not defined"},
		"10":  {"Barzahlung", "Cash"},
		"20":  {"Scheck", "Cheque"},
		"30":  {"Überweisung", "Credit transfer"},
		"31":  {"Lastschrift", "Debit transfer"},
		"42":  {"Zahlung auf Bankkonto", "Payment to bank account"},
		"48":  {"Kartenzahlung", "Bank card"},
		"49":  {"Lastschrift", "Direct debit"},
		"54":  {"Kreditkarte", "Credit card"},
		"55":  {"Debitkarte", "Debit card"},
		"57":  {"Dauerauftrag", "Standing agreement"},
		"58":  {"SEPA-Überweisung", "SEPA credit transfer"},
		"59":  {"SEPA-Lastschrift", "SEPA direct debit"},
		"68":  {"Online-Zahlungsdienst", "Online payment service"},
		"97":  {"Verrechnung", "Clearing between partners"},
		"ZZZ": {"Gesondert vereinbart", "Mutually defined"},
	}}
	// UNTDID 5189 allowance reasons (BT-98, BT-140).
	allowanceReasonNames = codeList{"cii/BR-CL-19/0", map[string][2]string{
		"41":  {"Bonus für vorzeitige Fertigstellung", "Bonus for works ahead of schedule"},
		"42":  {"Sonstiger Bonus", "Other bonus"},
		"60":  {"Herstellerrabatt", "Manufacturer's consumer discount"},
		"62":  {"Militärrabatt", "Due to military status"},
		"63":  {"Nachlass wegen Arbeitsunfall", "Due to work accident"},
		"64":  {"Sondervereinbarung", "Special agreement"},
		"65":  {"Nachlass wegen Produktionsfehler", "Production error discount"},
		"66":  {"Neueröffnungsrabatt", "New outlet discount"},
		"67":  {"Musterrabatt", "Sample discount"},
		"68":  {"Auslaufrabatt", "End-of-range discount"},
		"70":  {"Incoterm-Nachlass", "Incoterm discount"},
		"71":  {"Nachlass ab Umsatzschwelle", "Point of sales threshold allowance"},
		"88":  {"Materialzuschlag/-abschlag", "Material surcharge/deduction"},
		"95":  {"Rabatt", "Discount"},
		"100": {"Sonderrabatt", "Special rebate"},
		"102": {"Langfristiger Festrabatt", "Fixed long term"},
		"103": {"Befristeter Rabatt", "Temporary"},
		"104": {"Standardrabatt", "Standard"},
		"105": {"Jahresumsatzrabatt", "Yearly turnover"},
	}}
	// UNTDID 7161 charge reasons (BT-105, BT-145), the common ones.
	chargeReasonNames = codeList{"cii/BR-CL-20/0", map[string][2]string{
		"AA":  {"Werbung", "Advertising"},
		"ABL": {"Zusätzliche Verpackung", "Additional packaging"},
		"ADR": {"Sonstige Leistungen", "Other services"},
		"ADT": {"Abholung", "Pick-up"},
		"FC":  {"Frachtkosten", "Freight service"},
		"FI":  {"Finanzierung", "Financing"},
		"LA":  {"Etikettierung", "Labelling"},
		"PC":  {"Verpackung", "Packing"},
		"SAA": {"Versand und Bearbeitung", "Shipping and handling"},
		"TAC": {"Testen", "Testing"},
		"TV":  {"Transport", "Transportation"},
		"ZZZ": {"Gesondert vereinbart", "Mutually defined"},
	}}
	// UNTDID 4451 note subjects (BT-21).
	noteSubjectNames = codeList{"cii/BR-CL-08/0", map[string][2]string{
		"AAB": {"Zahlungsbedingungen", "Terms of payment"},
		"AAC": {"Gefahrgut", "Dangerous goods"},
		"AAI": {"Allgemeine Informationen", "General information"},
		"AAK": {"Preisbedingungen", "Price conditions"},
		"ABL": {"Behördliche Informationen", "Government information"},
		"ACB": {"Zusätzliche Informationen", "Additional information"},
		"ADU": {"Bemerkung", "Note"},
		"CUS": {"Zoll", "Customs"},
		"PMD": {"Zahlungsinformation", "Payment detail"},
		"PMT": {"Zahlungsinformation", "Payment information"},
		"REG": {"Regulatorische Angaben", "Regulatory information"},
		"SUR": {"Anmerkungen des Verkäufers", "Supplier remarks"},
		"TXD": {"Steuerliche Angaben", "Tax declaration"},
	}}
	// UNTDID 2005 (UBL) and 2475 (CII) VAT point date codes (BT-8).
	vatPointNames = codeList{"", map[string][2]string{
		"3":   {"Rechnungsdatum", "Invoice date"},
		"35":  {"Lieferdatum", "Delivery date"},
		"432": {"Zahlungsdatum", "Payment date"},
		"5":   {"Rechnungsdatum", "Invoice date"},
		"29":  {"Lieferdatum", "Delivery date"},
		"72":  {"Zahlungsdatum", "Payment date"},
	}}
)

// name returns the code's name in the language, or "" for a code not in
// the table.
func (c codeList) name(code string, en bool) string {
	n, ok := c.names[code]
	if !ok {
		return ""
	}
	if en {
		return n[1]
	}
	return n[0]
}
