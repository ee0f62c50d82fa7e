package hybrid

import "fmt"

// Error codes returned in [Error.Code]. They are stable: callers map them
// to problem codes and translations without parsing messages.
const (
	CodeNotPDF           = "not-pdf"
	CodeEncrypted        = "encrypted"
	CodeNoXML            = "no-xml"
	CodeTwoXML           = "two-xml"
	CodeXMLNotWellFormed = "xml-not-well-formed"
	CodeTooLarge         = "too-large"
	CodeUnreadable       = "unreadable"
	CodePDFBomb          = "pdf-bomb"
	CodeProfile          = "profile"
)

// Error is a rejection of a hybrid PDF with a stable code and a message in
// English and German for the sender.
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Message is the English explanation for the sender.
	Message string
	// MessageDE is the German explanation for the sender.
	MessageDE string
	// Err is the underlying cause, if any (for logs, not for the sender).
	Err error
}

// Error returns the code and the English message, and the cause if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("hybrid: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("hybrid: %s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
