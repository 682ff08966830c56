package telegram

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
)

// journal is a HandleFunc recording, per chat, the texts handled (and the
// failed attempts, suffixed with "!").
type journal struct {
	mu     sync.Mutex
	byChat map[string][]string
	fail   func(u *bot.Update) error
}

func (j *journal) handle(_ context.Context, u *bot.Update) error {
	var err error
	if j.fail != nil {
		err = j.fail(u)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.byChat == nil {
		j.byChat = make(map[string][]string)
	}
	entry := u.Text
	if err != nil {
		entry += "!"
	}
	j.byChat[u.ChatID] = append(j.byChat[u.ChatID], entry)
	return err
}

func (j *journal) chat(id string) []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.byChat[id])
}

// runPoller starts p and returns a function that cancels it and waits for
// Run to return.
func runPoller(t *testing.T, p *Poller) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("poller did not stop")
		}
	}
}

// offsets lists the offset of every getUpdates call ("" for none).
func offsets(calls []fakeapi.Call) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "getUpdates" {
			out = append(out, c.Params["offset"])
		}
	}
	return out
}

// polledWith reports whether getUpdates was called with offset.
func polledWith(offset int64) func([]fakeapi.Call) bool {
	return func(calls []fakeapi.Call) bool {
		return slices.Contains(offsets(calls), strconv.FormatInt(offset, 10))
	}
}

func TestPollerOrderAndOffset(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.UserText(1, "a1")
	srv.UserText(2, "b1")
	srv.UserText(1, "a2")
	srv.AddUpdate(map[string]any{"inline_query": map[string]any{"id": "q", "from": map[string]any{"id": 3}, "query": "x"}})
	srv.UserText(2, "b2")
	last := srv.UserText(1, "a3")

	j := &journal{}
	stop := runPoller(t, &Poller{Client: c, Handle: j.handle, Timeout: time.Second})
	if err := srv.WaitFor(ctxT(t), polledWith(last+1)); err != nil {
		t.Fatal(err)
	}
	stop()
	if got := j.chat("1"); !slices.Equal(got, []string{"a1", "a2", "a3"}) {
		t.Errorf("chat 1: %v", got)
	}
	if got := j.chat("2"); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Errorf("chat 2: %v", got)
	}
	// The fake records a call before it applies its offset: give it a moment.
	for deadline := time.Now().Add(2 * time.Second); srv.Pending() != 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if srv.Pending() != 0 {
		t.Errorf("%d updates not confirmed", srv.Pending())
	}
	var allowed []string
	if err := srv.Calls("getUpdates")[0].Decode("allowed_updates", &allowed); err != nil || !slices.Equal(allowed, AllowedUpdates) {
		t.Errorf("allowed_updates %v %v", allowed, err)
	}
	if p := srv.Calls("getUpdates")[0].Params; p["timeout"] != "1" {
		t.Errorf("timeout %q", p["timeout"])
	}
}

func TestPollerChatsRunConcurrently(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.UserText(1, "slow")
	last := srv.UserText(2, "fast")
	fastDone := make(chan struct{})
	handle := func(ctx context.Context, u *bot.Update) error {
		if u.ChatID == "2" {
			close(fastDone)
			return nil
		}
		// Chat 1 waits for chat 2: handled one by one, this would never end.
		select {
		case <-fastDone:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("chats are not handled concurrently")
		}
	}
	stop := runPoller(t, &Poller{Client: c, Handle: handle, Timeout: time.Second})
	defer stop()
	if err := srv.WaitFor(ctxT(t), polledWith(last+1)); err != nil {
		t.Fatal(err)
	}
}

func TestPollerRetriesFailedUpdate(t *testing.T) {
	c, srv, sl := newTestClient(t)
	a1 := srv.UserText(1, "a1")
	srv.UserText(2, "b1")
	a2 := srv.UserText(1, "a2")
	a3 := srv.UserText(1, "a3")
	failed := false
	j := &journal{fail: func(u *bot.Update) error {
		if u.Text == "a2" && !failed {
			failed = true
			return errors.New("redis down")
		}
		return nil
	}}
	stop := runPoller(t, &Poller{Client: c, Handle: j.handle, Timeout: time.Second})
	if err := srv.WaitFor(ctxT(t), polledWith(a3+1)); err != nil {
		t.Fatal(err)
	}
	stop()
	// a3 waits for a2; the offset stays at a2 until a2 succeeds.
	if got := j.chat("1"); !slices.Equal(got, []string{"a1", "a2!", "a2", "a3"}) {
		t.Errorf("chat 1: %v", got)
	}
	if got := j.chat("2"); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("chat 2: %v", got)
	}
	want := []string{"", strconv.FormatInt(a2, 10), strconv.FormatInt(a3+1, 10)}
	if got := offsets(srv.Calls("")); !slices.Equal(got[:3], want) {
		t.Errorf("offsets %v, want %v (first update %d)", got, want, a1)
	}
	if got := sl.all(); len(got) == 0 || got[0] != time.Second {
		t.Errorf("no backoff after a failure: %v", got)
	}
}

func TestPollerSkipsUndecodableUpdates(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.AddUpdate(map[string]any{"message": "not an object"})
	last := srv.UserText(1, "ok")
	j := &journal{}
	stop := runPoller(t, &Poller{Client: c, Handle: j.handle, Timeout: time.Second})
	if err := srv.WaitFor(ctxT(t), polledWith(last+1)); err != nil {
		t.Fatal(err)
	}
	stop()
	if got := j.chat("1"); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("handled %v", got)
	}
}

func TestPollerBacksOff(t *testing.T) {
	c, srv, sl := newTestClient(t)
	srv.Fail(fakeapi.Fault{Method: "getUpdates", Code: 500, Times: 2})
	srv.Fail(fakeapi.Fault{Method: "getUpdates", Code: 429, RetryAfter: 7, Times: 1})
	last := srv.UserText(1, "hi")
	j := &journal{}
	stop := runPoller(t, &Poller{Client: c, Handle: j.handle, Timeout: time.Second})
	if err := srv.WaitFor(ctxT(t), polledWith(last+1)); err != nil {
		t.Fatal(err)
	}
	stop()
	if got := sl.all(); !slices.Equal(got[:3], []time.Duration{time.Second, 2 * time.Second, 7 * time.Second}) {
		t.Errorf("waits %v", got)
	}
	if got := j.chat("1"); !slices.Equal(got, []string{"hi"}) {
		t.Errorf("handled %v", got)
	}
}

func TestPollerStopsDuringLongPoll(t *testing.T) {
	c, srv, _ := newTestClient(t)
	stop := runPoller(t, &Poller{Client: c, Handle: (&journal{}).handle, Timeout: 40 * time.Second})
	inPoll := func(calls []fakeapi.Call) bool {
		return len(calls) > 0 && calls[len(calls)-1].Method == "getUpdates" && calls[len(calls)-1].Status == 0
	}
	if err := srv.WaitFor(ctxT(t), inPoll); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stop()
	if d := time.Since(start); d > time.Second {
		t.Errorf("stopping took %v", d)
	}
}

func TestPollerLetsHandlersFinishOnStop(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.UserText(1, "long")
	srv.UserText(1, "next")
	started, release := make(chan struct{}), make(chan struct{})
	var handled []string
	var cut bool
	handle := func(ctx context.Context, u *bot.Update) error {
		handled = append(handled, u.Text)
		if u.Text == "long" {
			close(started)
			select {
			case <-release:
			case <-ctx.Done():
				cut = true
			}
		}
		return nil
	}
	stop := runPoller(t, &Poller{Client: c, Handle: handle, Timeout: time.Second, Grace: 5 * time.Second})
	<-started
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a handler was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-stopped
	if cut || !slices.Equal(handled, []string{"long"}) {
		t.Errorf("cut=%v handled=%v: the running update finishes, the next does not start", cut, handled)
	}
}

func TestPollerFitsHTTPTimeout(t *testing.T) {
	srv := fakeapi.Start(testToken)
	defer srv.Close()
	hc := srv.Client()
	hc.Timeout = 12 * time.Second
	c, err := New(ctxT(t), Config{Token: testToken, APIURL: srv.URL, HTTPClient: hc, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	stop := runPoller(t, &Poller{Client: c, Handle: (&journal{}).handle})
	defer stop()
	if err := srv.WaitFor(ctxT(t), func(calls []fakeapi.Call) bool { return len(offsets(calls)) > 0 }); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls("getUpdates")[0].Params["timeout"]; got != "7" {
		t.Errorf("timeout %s, want 7 (12 s client timeout - 5 s)", got)
	}
	if (&Poller{}).Run(context.Background()) == nil {
		t.Error("poller without client ran")
	}
}

// A tap on a button in a group is not handled, but answered with nothing,
// so that its spinner stops.
func TestPollerAnswersATapInAGroup(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.UserTap(-1001234, 9, "home|menu|3|")
	last := srv.UserText(1, "a1")
	j := &journal{}
	stop := runPoller(t, &Poller{Client: c, Handle: j.handle, Timeout: time.Second})
	if err := srv.WaitFor(ctxT(t), polledWith(last+1)); err != nil {
		t.Fatal(err)
	}
	stop()
	if got := j.chat("-1001234"); len(got) != 0 {
		t.Errorf("the group's tap was handled: %v", got)
	}
	if got := j.chat("1"); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("chat 1: %v", got)
	}
	calls := srv.Calls("answerCallbackQuery")
	if len(calls) != 1 || calls[0].Status != 200 || calls[0].Params["text"] != "" || !strings.HasPrefix(calls[0].Params["callback_query_id"], "cb") {
		t.Errorf("answers %+v; want one empty answer to the tap", calls)
	}
}
