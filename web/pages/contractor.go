package pages

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
)

// form is the upload and check form's data.
type form struct {
	Action  string
	Problem string // message key
	Sender  string
}

func (f form) problem() string { return f.Problem }

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "home", "home_title", form{Action: "/"})
}

func (p *Pages) checkForm(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "check", "check_title", form{Action: "/check"})
}

// document reads the uploaded file; where there is none it answers with
// the form again and ok is false.
func (p *Pages) document(w http.ResponseWriter, r *http.Request, page string) (data []byte, name string, ok bool) {
	f, hdr, err := r.FormFile("file")
	if err == nil {
		defer f.Close()
		data, err = io.ReadAll(f)
		name = hdr.Filename
	}
	if err != nil || len(data) == 0 {
		p.render(w, r, http.StatusBadRequest, page, page+"_title", form{Action: r.URL.Path, Problem: "err_nofile", Sender: r.FormValue("sender")})
		return nil, "", false
	}
	return data, name, true
}

func (p *Pages) upload(w http.ResponseWriter, r *http.Request) {
	if p.cfg.Allow != nil && !p.cfg.Allow(r) {
		w.Header().Set("Retry-After", "1")
		p.fail(w, r, http.StatusTooManyRequests, "err_rate")
		return
	}
	sender := strings.TrimSpace(r.FormValue("sender"))
	if sender != "" && (len(sender) > 320 || !strings.Contains(sender, "@") || strings.ContainsAny(sender, " <>\r\n")) {
		p.render(w, r, http.StatusBadRequest, "home", "home_title", form{Action: "/", Problem: "err_email", Sender: sender})
		return
	}
	data, name, ok := p.document(w, r, "home")
	if !ok {
		return
	}
	rec, err := p.cfg.Backend.Submit(r.Context(), ingest.Submission{
		Data: data, Channel: "web", Sender: sender, Filename: name, ContentType: declaredType(name), // hybrid.go
	})
	if p.refused(w, r, err) { // hybrid.go
		return
	}
	if err != nil {
		p.cfg.Logger.Warn("page upload", "err", err)
		w.Header().Set("Retry-After", "30")
		p.fail(w, r, http.StatusServiceUnavailable, "err_unavailable")
		return
	}
	res := p.result(w, r, rec.Outcome, rec.Report)
	res.ID, res.Token, res.Filename = rec.ID, rec.ReceiptToken, name
	res.Status = rec.Status
	res.Format, res.Profile, res.Malware = rec.Outcome.Format, rec.Outcome.Profile, rec.Outcome.Malware
	p.render(w, r, http.StatusOK, "result", "result_title", res)
}

func (p *Pages) check(w http.ResponseWriter, r *http.Request) {
	data, name, ok := p.document(w, r, "check")
	if !ok {
		return
	}
	rep, err := p.cfg.Backend.Check(r.Context(), data)
	if p.refused(w, r, err) { // hybrid.go
		return
	}
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	var o ingest.Outcome
	o.Accepted = rep.Accepted
	if rep.Invoice != nil {
		o.LeitwegID = rep.Invoice.BuyerReference.Value
		if a := p.cfg.Backend.LookupLeitweg(o.LeitwegID); a.Recipient != nil {
			o.Municipality = a.Recipient.ID
		}
	}
	res := p.result(w, r, o, rep)
	res.Check, res.Filename = true, name
	p.render(w, r, http.StatusOK, "result", "check_result_title", res)
}

func (p *Pages) status(w http.ResponseWriter, r *http.Request) {
	id, token := r.PathValue("id"), r.URL.Query().Get("token")
	o, rep, err := p.cfg.Backend.Status(r.Context(), id, token)
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	res := p.result(w, r, o, rep)
	res.ID, res.Status, res.Token, res.StatusPage = id, o.Status, token, true
	res.Format, res.Profile, res.Malware = o.Format, o.Profile, o.Malware
	p.render(w, r, http.StatusOK, "result", "status_title", res)
}

// result is the answer to an upload, a check or a status request.
type result struct {
	Check, StatusPage bool
	ID, Token         string
	Filename          string
	Status            ingest.Status
	Accepted          bool
	RejectReason      string
	Leitweg           string
	Municipality      string // its name
	Reason            string // why clearing, in the page's language
	Seller, Number    string
	Total             string
	Groups            []group
	Counts            map[string]int
	// Format (xml, pdf), a hybrid's Profile, the Malware signature found.
	Format, Profile, Malware string
}

// A group holds a report's findings of one level.
type group struct {
	Level    invoice.Level
	Findings []finding
}

// A finding as the pages show it: the message in the page's language and
// where in the document it is.
type finding struct {
	Rule, Message string
	Line          int    // the invoice line (position) it concerns, 0: none
	DocLine       int    // the line of the XML document, 0: unknown
	Element       string // the element or attribute concerned
	Path          string // the XPath the report gives
}

func (p *Pages) result(w http.ResponseWriter, r *http.Request, o ingest.Outcome, rep *invoice.Report) result {
	lang := language(w, r)
	res := result{Accepted: o.Accepted, Leitweg: o.LeitwegID, Seller: o.Seller, Number: o.InvoiceNumber, Counts: map[string]int{}}
	if o.Total != "" {
		res.Total = invoice.FormatMoney(o.Total, o.Currency, lang)
	}
	if rep != nil {
		res.Accepted, res.RejectReason = rep.Accepted, rep.RejectReason
		if inv := rep.Invoice; inv != nil && res.Number == "" {
			res.Seller, res.Number, res.Total = inv.Seller.Name.Value, inv.Number.Value, invoice.FormatMoney(inv.Payable.Raw, inv.Payable.Currency, lang)
		}
		res.Groups = groups(rep.Findings, lang)
		for _, g := range res.Groups {
			res.Counts[string(g.Level)] = len(g.Findings)
		}
	}
	for _, m := range p.cfg.Backend.Recipients() {
		if m.ID == o.Municipality {
			res.Municipality = m.Name
		}
	}
	if res.Municipality == "" && res.Accepted {
		res.Reason = leitwegProblem(messages[lang], p.cfg.Backend.LookupLeitweg(o.LeitwegID))
	}
	return res
}

// groups sorts the counted findings by level, errors first.
func groups(fs []invoice.Finding, lang string) []group {
	var out []group
	for _, lv := range []invoice.Level{invoice.LevelError, invoice.LevelWarning, invoice.LevelInfo} {
		g := group{Level: lv}
		for _, f := range fs {
			if !f.Counted || f.Level != lv {
				continue
			}
			msg := f.Message
			if lang == "de" && f.MessageDE != "" {
				msg = f.MessageDE
			}
			line, elem := where(f.Location)
			g.Findings = append(g.Findings, finding{Rule: f.Rule, Message: msg, Line: line, DocLine: f.Line, Element: elem, Path: f.Location})
		}
		if len(g.Findings) > 0 {
			out = append(out, g)
		}
	}
	return out
}

var linePattern = regexp.MustCompile(`(?:InvoiceLine|CreditNoteLine|IncludedSupplyChainTradeLineItem)\[(\d+)\]`)

// where reads an XPath of a report: the invoice line it is in (1-based, 0
// for none) and the last element's or attribute's name without prefix.
func where(path string) (line int, element string) {
	if m := linePattern.FindAllStringSubmatch(path, -1); m != nil {
		line, _ = strconv.Atoi(m[len(m)-1][1])
	} else if strings.Contains(path, "InvoiceLine") || strings.Contains(path, "CreditNoteLine") || strings.Contains(path, "IncludedSupplyChainTradeLineItem") {
		line = 1 // the only line: no index in the path
	}
	last := path[strings.LastIndex(path, "/")+1:]
	if i := strings.IndexByte(last, '['); i >= 0 {
		last = last[:i]
	}
	last = strings.TrimPrefix(last, "@")
	if i := strings.IndexByte(last, ':'); i >= 0 {
		last = last[i+1:]
	}
	return line, last
}

// leitwegProblem says in words why a Leitweg-ID routes nowhere.
func leitwegProblem(t map[string]string, a ingest.LeitwegAnswer) string {
	switch {
	case a.Input == "":
		return t["lw_missing"]
	case !a.WellFormed:
		return t["lw_malformed"]
	case !a.CheckDigitsOK:
		return fmt.Sprintf(t["lw_checkdigits"], a.Expected)
	case a.Recipient == nil:
		return t["lw_unknown"]
	}
	return ""
}

// lookup is the Leitweg-ID page's data.
type lookup struct {
	ID      string
	Answer  *ingest.LeitwegAnswer
	Problem string // in words
	Q       string
	Found   []ingest.Recipient
	Search  bool
}

func (p *Pages) leitweg(w http.ResponseWriter, r *http.Request) {
	lang := language(w, r)
	q := r.URL.Query()
	var l lookup
	if q.Has("id") {
		l.ID = q.Get("id")
		a := p.cfg.Backend.LookupLeitweg(l.ID)
		l.Answer = &a
		l.Problem = leitwegProblem(messages[lang], a)
	}
	if q.Has("q") {
		l.Q, l.Search = strings.TrimSpace(q.Get("q")), true
		needle := strings.ToLower(l.Q)
		for _, m := range p.cfg.Backend.Recipients() {
			if strings.Contains(strings.ToLower(m.Name), needle) || strings.Contains(m.ID, needle) {
				l.Found = append(l.Found, m)
			}
		}
	}
	p.render(w, r, http.StatusOK, "leitweg", "leitweg_title", l)
}

// notFound is errors.Is(err, ingest.ErrNotFound).
func notFound(err error) bool { return errors.Is(err, ingest.ErrNotFound) }
