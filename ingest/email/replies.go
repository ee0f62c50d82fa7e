package email

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// kwReplyFailed marks a mail whose reply the SMTP server refused for good.
const kwReplyFailed = imap.Flag("$eingang-reply-failed")

// replies answers the senders over a connection of its own, so that a
// slow or failed SMTP server never holds up intake. The mailbox is its
// queue: every mail this gateway moved to the done or the rejected folder
// without the keyword $eingang-replied is waiting for its reply, which is
// rebuilt from the mail and the pipeline's receipt, sent, and only then
// marked. After a crash a reply may go out twice, never not at all.
func (in *Intake) replies(ctx context.Context) (ok bool, err error) {
	c, err := in.dial(ctx, nil)
	if err != nil {
		return false, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for _, f := range []string{in.cfg.Mailbox.Done, in.cfg.Mailbox.Reject} {
		if err := in.ensure(c, f); err != nil {
			return false, err
		}
	}
	for {
		if err := in.answerAll(ctx, c); err != nil {
			return ok, err
		}
		ok = true
		select {
		case <-ctx.Done():
			return ok, ctx.Err()
		case <-in.moved:
		case <-time.After(in.cfg.Mailbox.Poll):
		}
	}
}

// answerAll replies to every mail waiting for it.
func (in *Intake) answerAll(ctx context.Context, c *imapclient.Client) error {
	mb := in.cfg.Mailbox
	for _, folder := range []string{mb.Done, mb.Reject} {
		if _, err := c.Select(folder, nil).Wait(); err != nil {
			return fmt.Errorf("email: select %s: %w", folder, err)
		}
		found, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{in.ours()}, NotFlag: []imap.Flag{kwReplied}}, nil).Wait()
		if err != nil {
			return fmt.Errorf("email: search %s: %w", folder, err)
		}
		uids := found.AllUIDs()
		for len(uids) > 0 && ctx.Err() == nil {
			batch := uids[:min(len(uids), in.cfg.Batch)]
			uids = uids[len(batch):]
			msgs, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true}).Collect()
			if err != nil {
				return fmt.Errorf("email: fetch %s: %w", folder, err)
			}
			for _, msg := range msgs {
				if err := in.answer(ctx, c, msg); err != nil {
					return err
				}
			}
		}
	}
	return ctx.Err()
}

// answer sends the reply to one mail and marks it.
func (in *Intake) answer(ctx context.Context, c *imapclient.Client, msg *imapclient.FetchMessageBuffer) (err error) {
	reason, ok := keyword(msg.Flags, kwResult)
	if !ok {
		// Handled before results were recorded: answered then.
		return in.store(c, msg.UID, imap.StoreFlagsAdd, kwReplied)
	}
	defer func() {
		if p := recover(); p != nil {
			in.log.Error("email: panic while replying; no reply", "uid", msg.UID, "panic", p, "stack", string(debug.Stack()))
			err = in.store(c, msg.UID, imap.StoreFlagsAdd, kwReplied, kwReplyFailed)
		}
	}()
	if reason == ReasonFailed {
		// Read the header only: the body is what failed.
		msg.RFC822Size = max(msg.RFC822Size, in.cfg.MaxMailBytes+1)
	}
	raw, err := in.fetch(c, msg)
	if err != nil {
		return err
	}
	m, res, err := in.result(ctx, raw, msg.RFC822Size, reason)
	if err != nil {
		return errPipeline{err}
	}
	if why := noReply(m, m.Header.Get("Return-Path"), in.own); why != "" {
		in.log.Info("email: no reply", "message_id", m.MessageID, "why", why)
		return in.store(c, msg.UID, imap.StoreFlagsAdd, kwReplied)
	}
	var atts []attachment
	if rep := res.report(); rep != nil {
		atts = append(atts, attachment{"report.json", "application/json", rep})
	}
	refs, _ := m.Header.MsgIDList("References")
	data, err := compose(in.cfg.Replies.From(), m.From, res.subjectLine(m.Subject), autoReplied, "", m.MessageID, refs, res.text(m.Subject), atts)
	if err != nil {
		in.log.Error("email: reply not composed", "message_id", m.MessageID, "err", err)
		return in.store(c, msg.UID, imap.StoreFlagsAdd, kwReplied, kwReplyFailed)
	}
	if err := in.cfg.Replies.Send(ctx, "reply", m.From, data); err != nil {
		if !permanent(err) {
			return fmt.Errorf("email: reply to %s: %w", m.MessageID, err)
		}
		in.log.Error("email: reply refused by the SMTP server; not sent again", "message_id", m.MessageID, "to", m.From, "err", err)
		return in.store(c, msg.UID, imap.StoreFlagsAdd, kwReplied, kwReplyFailed)
	}
	return in.store(c, msg.UID, imap.StoreFlagsAdd, kwReplied)
}
