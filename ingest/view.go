package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/eingang/eingang/invoice"
)

// View returns a readable HTML page of a submission's invoice, read from
// its original: what a channel sends along with the original where a
// municipality receives invoices by e-mail.
func (p *Pipeline) View(ctx context.Context, id string) ([]byte, error) {
	rc, err := p.Original(ctx, id)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("ingest: view %s: %w", id, err)
	}
	// The page needs the model only: the rules ran when the invoice came in.
	root, err := invoice.Parse(data, invoice.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("ingest: view %s: %w", id, err)
	}
	inv, err := invoice.Read(root)
	if err != nil {
		return nil, fmt.Errorf("ingest: view %s: %w", id, err)
	}
	var page bytes.Buffer
	if err := invoice.Render(&page, inv); err != nil {
		return nil, fmt.Errorf("ingest: view %s: %w", id, err)
	}
	return page.Bytes(), nil
}
