package telegram

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// Poller receives updates by long polling, for development and for hosts
// without a public HTTPS URL. Telegram allows one poller per token (a
// second gets 409 Conflict) and none while a webhook is set.
//
// Unlike the library's GetUpdatesChan, it confirms an update (by moving the
// offset past it) only after its handler returned nil, and it can be
// stopped. Updates of one chat are handled one after the other in update_id
// order; different chats run concurrently. A batch is finished before the
// next is fetched, so one slow update delays the next batch for everyone.
type Poller struct {
	Client *Client
	Handle HandleFunc
	// Timeout is how long one getUpdates waits for updates; zero means 50 s.
	// It is shortened when the HTTP client's timeout would cut it.
	Timeout time.Duration
	// Chats bounds how many chats are handled at once; zero means 8.
	Chats int
	// Grace is how long updates being handled may run on after the context
	// is cancelled; zero means 10 s. No new update starts after cancel.
	Grace time.Duration
}

const maxBackoff = 30 * time.Second

// Run polls until ctx is cancelled, then returns nil once the updates in
// hand are finished. Failures of the Bot API are retried with a backoff (or
// after retry_after for a 429).
//
// A failed update leaves the offset at its update_id, so it and everything
// after it are fetched again: the handler (the engine) recognises the ones
// already done, and gives up on an update that keeps failing, so a bad
// update delays its successors but never blocks them for good.
func (p *Poller) Run(ctx context.Context) error {
	if p.Client == nil || p.Handle == nil {
		return errors.New("telegram: poller needs a client and a handler")
	}
	c := p.Client
	timeout := cmp.Or(p.Timeout, 50*time.Second)
	if limit := c.callLimit(); timeout > limit-5*time.Second {
		timeout = max(0, limit-5*time.Second)
		c.log.Warn("telegram: long-poll timeout shortened to fit the HTTP client timeout", "timeout", timeout)
	}
	var offset int64
	var backoff time.Duration
	for ctx.Err() == nil {
		batch, err := p.fetch(ctx, offset, timeout)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			wait, limited := retryAfter(err)
			if !limited {
				backoff = nextBackoff(backoff)
				wait = backoff
			}
			c.log.Warn("telegram: getUpdates failed", "err", err, "retry_in", wait)
			if c.sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		var failed bool
		offset, failed = p.process(ctx, batch, offset)
		if !failed {
			backoff = 0
			continue
		}
		// Do not spin on an update that fails at once (Redis down...).
		backoff = nextBackoff(backoff)
		if c.sleep(ctx, backoff) != nil {
			break
		}
	}
	return nil
}

func nextBackoff(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Second
	}
	return min(2*d, maxBackoff)
}

// polled is one update of a getUpdates batch, decoded later so that one
// malformed update cannot make the whole batch unreadable.
type polled struct {
	ID  int64
	Raw json.RawMessage
}

func (p *Poller) fetch(ctx context.Context, offset int64, timeout time.Duration) ([]polled, error) {
	allowed, _ := json.Marshal(AllowedUpdates)
	params := tgbotapi.Params{
		"timeout":         strconv.Itoa(int(timeout / time.Second)),
		"allowed_updates": string(allowed),
	}
	if offset != 0 {
		params["offset"] = strconv.FormatInt(offset, 10)
	}
	c := p.Client
	resp, err := c.bot(ctx).MakeRequest("getUpdates", params)
	c.observe("getUpdates", err)
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", c.redact(err))
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates result: %w", err)
	}
	batch := make([]polled, 0, len(raws))
	for _, raw := range raws {
		var head struct {
			UpdateID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("telegram: getUpdates: update without id: %w", err)
		}
		batch = append(batch, polled{ID: head.UpdateID, Raw: raw})
	}
	slices.SortFunc(batch, func(a, b polled) int { return cmp.Compare(a.ID, b.ID) })
	return batch, nil
}

// process handles a batch and returns the next offset: past the batch when
// every update was handled, else the first update that was not, and
// whether one failed.
func (p *Poller) process(ctx context.Context, batch []polled, offset int64) (int64, bool) {
	if len(batch) == 0 {
		return offset, false
	}
	type job struct {
		id int64
		u  *bot.Update
	}
	var order []string
	chats := make(map[string][]job)
	for _, it := range batch {
		u, err := Decode(it.Raw)
		if errors.Is(err, ErrIgnored) {
			if id, ok := tapToAnswer(err); ok {
				// A tap in a group: answered with nothing, so that its
				// spinner stops; nothing else is done.
				tap := &bot.Update{ID: strconv.FormatInt(it.ID, 10), Kind: bot.KindCallback, CallbackID: id}
				if err := p.Client.Answer(ctx, tap, ""); err != nil {
					p.Client.log.Debug("telegram: tap in a group not answered", "update", it.ID, "err", err)
				}
			}
			continue
		}
		if err != nil {
			p.Client.log.Error("telegram: undecodable update dropped", "update", it.ID, "err", err)
			continue
		}
		if _, ok := chats[u.ChatID]; !ok {
			order = append(order, u.ChatID)
		}
		chats[u.ChatID] = append(chats[u.ChatID], job{it.ID, u})
	}

	hctx, stop := graceful(ctx, cmp.Or(p.Grace, 10*time.Second))
	defer stop()
	var (
		mu     sync.Mutex
		first  int64
		failed bool
		wg     sync.WaitGroup
		sem    = make(chan struct{}, cmp.Or(p.Chats, 8))
	)
	fail := func(id int64) {
		mu.Lock()
		defer mu.Unlock()
		if !failed || id < first {
			first, failed = id, true
		}
	}
	for _, chat := range order {
		jobs := chats[chat]
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, j := range jobs {
				if ctx.Err() != nil {
					fail(j.id)
					return
				}
				if err := p.Handle(hctx, j.u); err != nil {
					p.Client.log.Debug("telegram: update not handled, will be fetched again", "update", j.id, "err", err)
					fail(j.id)
					return
				}
			}
		})
	}
	wg.Wait()
	if failed {
		return first, true
	}
	return batch[len(batch)-1].ID + 1, false
}

// graceful returns a context that outlives ctx by grace, so that a
// shutdown lets the updates being handled finish instead of cutting them
// in the middle of a send. It is released once the returned context is done
// or grace has run out after ctx.
func graceful(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-hctx.Done():
		}
	})
	return hctx, func() { stop(); cancel() }
}
