package scheduler

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows/digest"
	"hocvuso/flows/quiz/bank/banktest"
	"hocvuso/flows/report/config"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// addCitizen makes a citizen on Telegram in chat, reading lang.
func (w *world) addCitizen(chat int64, lang string) int64 {
	w.t.Helper()
	id := fmt.Sprint(chat)
	u, err := w.db.CreateUser(context.Background(), store.NewUser{Channel: bot.Telegram, ExternalID: id, ChatID: id,
		DisplayName: "Lò Thị " + id, Language: lang, ConsentVersion: "test", At: time.Now()})
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// The digests and nudges as serve wires them: digest.Builder, over the
// same database, is the scheduler's DigestBuilder. The official gets the
// weekly digest on Monday and the late units the day after the due date;
// the citizen who asked for it gets the nudge on Saturday, naming the area
// she is working on; a citizen who did not ask gets nothing.
func TestTheDigestBuilderServeUsesReachesOfficialsAndCitizens(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	late := w.addUnits(config.KindDepartment, 2, 9400, "vi") // they never submit
	w.addOfficial(9500, "en")
	asked := w.addCitizen(9600, "vi")
	w.addCitizen(9601, "vi") // never asked for a nudge
	b := banktest.Load(t)
	area := b.Areas[0]
	storetest.FinishQuiz(t, w.db, asked, area.ID, 1, 6, at("2025-11-01 10:00"))
	if err := w.db.SetNudge(ctx, asked, true, at("2025-11-01 10:05")); err != nil {
		t.Fatal(err)
	}
	builder := digest.Builder{
		Digests: digest.NewDigests(w.db, digest.DigestConfig{Text: w.cat, Reports: w.reports, Location: hcm}),
		Nudges:  digest.NewNudges(w.db, digest.Config{Text: w.cat, Bank: b, PassPercent: 80}),
	}

	// The clock moves on as each occurrence is planned: what is sent is
	// written as of the time it is sent.
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	s := w.scheduler(true, now, func(c *Config) { c.Digests = builder })
	w.start(s)
	texts := func(chat int64) string {
		var out []string
		for _, m := range w.fake.MessagesTo(chat) {
			out = append(out, m.Text)
		}
		return strings.Join(out, "\n---\n")
	}
	digestTitle := strings.SplitN(w.cat.TextKV("en", "digest.weekly.title", "Date", ""), ",", 2)[0]
	lateTitle := w.cat.TextKV("en", "digest.escalation.title", "Period", "")
	nudgeTitle := strings.SplitN(w.cat.TextKV("vi", "nudge.message", "Passed", 0, "Areas", len(b.Areas), "Area", area.Name.VI), "\n", 2)[0]
	for _, step := range []struct {
		at   string
		chat int64
		want string
	}{
		{"2025-11-10 08:00", 9500, digestTitle}, // a Monday, the departments' due date
		{"2025-11-11 08:00", 9500, lateTitle},   // the day after
		{"2025-11-15 09:00", 9600, nudgeTitle},  // a Saturday
	} {
		clock.Store(at(step.at).UnixNano())
		if _, err := s.Plan(ctx, now(), "test"); err != nil {
			t.Fatal(err)
		}
		w.waitFor(30*time.Second, fmt.Sprintf("%q at %s", step.want, step.at), func() bool {
			return strings.Contains(texts(step.chat), step.want)
		})
	}
	o := texts(9500)
	for _, u := range late {
		if !strings.Contains(o, u.unit) {
			t.Errorf("the official's messages do not name late unit %s:\n%s", u.unit, o)
		}
	}
	if n := strings.Count(o, lateTitle); n != 1 {
		t.Errorf("the late units sent %d times:\n%s", n, o)
	}
	if got := texts(9600); !strings.Contains(got, area.Name.VI) || strings.Count(got, nudgeTitle) != 1 {
		t.Errorf("the nudge does not name the area %q once:\n%s", area.Name.VI, got)
	}
	if got := texts(9601); got != "" {
		t.Errorf("a citizen who never asked was nudged:\n%s", got)
	}
	if p, err := w.db.NudgePref(ctx, asked); err != nil || p.LastSentAt.IsZero() {
		t.Errorf("the nudge is not recorded as sent: %+v, %v", p, err)
	}
}
