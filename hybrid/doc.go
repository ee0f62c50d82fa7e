// Package hybrid finds the invoice XML inside a hybrid invoice: a
// ZUGFeRD 2.x / Factur-X 1.0 PDF (PDF/A-3) with the invoice XML embedded.
//
// # What it accepts
//
// [Extract] takes a PDF and returns the embedded invoice XML byte for
// byte, its file name, the ZUGFeRD / Factur-X profile of its guideline id
// (BT-24) and warnings. The XML is what the gateway validates and
// routes; the PDF is only its carrier, so Extract reads no page content.
//
// The invoice is found the way the formats name it: an embedded file
// named factur-x.xml (Factur-X 1.0, ZUGFeRD 2.1 and later),
// zugferd-invoice.xml or ZUGFeRD-invoice.xml (ZUGFeRD 2.0) or
// xrechnung.xml (XRechnung in ZUGFeRD 2.1 and later), compared without
// regard to case. With none of these names, it is the single embedded
// .xml file whose root is an invoice: a UBL Invoice or CreditNote or a
// CII CrossIndustryInvoice. The EmbeddedFiles name tree is read flat and
// with Kids, from object streams and compressed streams.
//
// What the PDF declares about its invoice is not trusted: the file
// specification's AFRelationship (Data, Alternative or Source expected)
// and the XMP metadata's DocumentFileName and ConformanceLevel are
// compared with what was found, and a difference is a [Warning], not a
// rejection, because many generators get them wrong while the XML is
// right.
//
// Which profiles the gateway accepts is decided by validation against
// the configured scenarios; [ProfileProblem] explains, in English and
// German, why MINIMUM, BASIC WL, BASIC and EXTENDED are not EN 16931
// invoices, so that a sender gets more than a bare "no scenario".
//
// # Hostile input
//
// A PDF comes from anyone. Extract refuses a PDF over [Limits].MaxBytes
// before reading it. Before the PDF library sees the PDF, a scan of its
// bytes refuses arrays and dictionaries nested deeper than
// Limits.MaxDepth, in the file or in an object stream (the library parses
// them recursively, and a Go stack overflow cannot be recovered), and
// streams that decode to more than Limits.MaxDecompressed in sum: Flate,
// also compressed again inside, and RunLength are counted, after undoing
// ASCIIHex or ASCII85; the scan decodes into counters, so its memory
// stays small. It refuses what it cannot bound: an LZWDecode stream
// (PDF/A forbids LZW; it expands thousands of times) and a /Filter given
// by an indirect reference. The library (pdfcpu, pinned at v0.11.1) runs in a
// goroutine with panic recovery: a panic is an "unreadable" Error, and
// Extract returns when ctx ends even if the library has not: that
// goroutine may run on until the library notices the cancellation (it
// checks ctx between objects) or finishes, its work bounded by the size
// cap. pdfcpu is configured in code, so it never reads or writes a
// configuration directory.
//
// Known gaps of the scan: a Flate stream inside a RunLength stream, or a
// filter pipeline with an ASCII filter after Flate, is counted only to
// its first layer; the stream text between "stream" and the next
// "endstream" is taken as the data, whatever /Length says.
//
// # Errors
//
// Every rejection is an [*Error] with a stable Code and a Message in
// English and German:
//
//   - not-pdf: the data does not start with "%PDF-" (in its first 1024
//     bytes).
//   - encrypted: the PDF is encrypted (with or without a user password);
//     PDF/A-3 forbids encryption.
//   - no-xml: no embedded file of the names above and no embedded .xml
//     whose root is an invoice.
//   - two-xml: two embedded files of the names above, or, without such a
//     name, two embedded .xml files whose root is an invoice.
//   - xml-not-well-formed: the invoice XML is not well-formed, checked
//     with encoding/xml's strict decoder; a DOCTYPE is refused (no DTD is
//     processed, no entity expanded). An XML in another encoding than
//     UTF-8 is refused here too.
//   - too-large: the PDF is larger than Limits.MaxBytes.
//   - unreadable: the PDF library cannot read the PDF, or panicked.
//   - pdf-bomb: nesting deeper than Limits.MaxDepth (in the file or an
//     object stream), streams that decode to more than
//     Limits.MaxDecompressed, an LZWDecode stream, a /Filter given by an
//     indirect reference, or a name tree deeper than Limits.MaxDepth or
//     with more than 10000 files.
//   - profile: returned by ProfileProblem only, not by Extract.
//
// A ctx that ends first gives ctx's error, wrapped, not an *Error: the
// PDF was not judged.
package hybrid
