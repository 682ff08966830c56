package profile

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/store"
)

// The leaderboard's periods, as button arguments.
const (
	periodMonth = "m" // this calendar month in the bot's time zone
	periodAll   = "a" // since the start
)

// topN is how many communes the leaderboard lists.
const topN = 10

// Standing is one unit's place in a ranking.
type Standing struct {
	Unit         Unit
	Place        int // 1 for the first
	Participants int
	Passed       int
}

// Rate is the share of participants with a passed attempt, in percent,
// rounded.
func (s Standing) Rate() int {
	if s.Participants == 0 {
		return 0
	}
	return (s.Passed*200 + s.Participants) / (s.Participants * 2)
}

// Rank places every unit of the list: more participants first, then a
// higher pass rate, then by name; units without participants come last, by
// name. Counts of codes not in the list are left out.
func Rank(cs *Communes, counts []store.CommuneCount) []Standing {
	byCode := make(map[string]store.CommuneCount, len(counts))
	for _, c := range counts {
		byCode[c.Code] = c
	}
	out := make([]Standing, 0, cs.Len())
	for _, u := range cs.Units() {
		c := byCode[u.Code]
		out = append(out, Standing{Unit: u, Participants: c.Participants, Passed: c.Passed})
	}
	slices.SortStableFunc(out, func(a, b Standing) int {
		if a.Participants != b.Participants {
			return b.Participants - a.Participants
		}
		// a.Passed/a.Participants against b.Passed/b.Participants, exactly.
		if d := b.Passed*a.Participants - a.Passed*b.Participants; d != 0 {
			return d
		}
		return cs.order(a.Unit.Code) - cs.order(b.Unit.Code)
	})
	for i := range out {
		out[i].Place = i + 1
	}
	return out
}

// leaderboard shows the top communes of a period and the user's own place.
func (f *Flow) leaderboard(c *bot.Conversation, period string, edit bool) error {
	if period != periodAll {
		period = periodMonth
	}
	if c.Session.Flow == Name {
		c.Session.Reset()
	}
	var from, to time.Time
	title := c.T("profile.lb.title.all")
	if period == periodMonth {
		now := c.Now.In(f.loc)
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, f.loc)
		to = from.AddDate(0, 1, 0)
		// The month the language's way: "11/2026", "November 2026".
		title = c.T("profile.lb.title.month", "Month", now.Format(c.T("profile.lb.month.layout")))
	}
	counts, err := f.cache.get(period+from.Format(time.RFC3339), c.Now, f.CacheTTL, func() ([]store.CommuneCount, error) {
		return f.st.CommuneParticipation(c.Ctx, from, to)
	})
	if err != nil {
		return err
	}
	standings := Rank(f.communes, counts)
	p, err := f.st.Profile(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}

	lines := []string{title}
	if standings[0].Participants == 0 {
		lines = append(lines, "", c.T("profile.lb.empty."+period))
	} else {
		lines = append(lines, c.T("profile.lb.how"), "")
		for _, s := range standings[:topN] {
			if s.Participants == 0 {
				break
			}
			lines = append(lines, c.T("profile.lb.row", "Place", place(s.Place), "Unit", f.unitName(c, s.Unit),
				"People", s.Participants, "Rate", s.Rate()))
		}
		lines = append(lines, "")
		lines = append(lines, f.ownPlace(c, standings, p.CommuneCode)...)
	}

	c.NextScreen()
	var rows [][]bot.Button
	if period == periodMonth {
		rows = append(rows, []bot.Button{c.Button(c.T("profile.lb.show.all"), Name, "leaderboard", periodAll)})
	} else {
		rows = append(rows, []bot.Button{c.Button(c.T("profile.lb.show.month"), Name, "leaderboard", periodMonth)})
	}
	if p.CommuneCode == "" {
		lines = append(lines, c.T("profile.lb.own.none"))
		rows = append(rows, []bot.Button{c.Button(c.T("profile.lb.choose"), Name, "change", "commune")})
	}
	rows = append(rows, flows.BackToMenu(c))
	c.Reply(bot.Reply{Text: strings.TrimSpace(strings.Join(lines, "\n")), Buttons: rows, Edit: edit})
	return nil
}

// ownPlace says where the user's commune stands, and what it takes to climb.
func (f *Flow) ownPlace(c *bot.Conversation, standings []Standing, code string) []string {
	if code == "" {
		return nil
	}
	i := slices.IndexFunc(standings, func(s Standing) bool { return s.Unit.Code == code })
	if i < 0 {
		return nil // a code no longer in the list
	}
	s := standings[i]
	kind := c.T("profile.kind." + s.Unit.Kind)
	if s.Participants == 0 {
		return []string{c.T("profile.lb.own.zero", "Kind", kind, "Name", s.Unit.Name)}
	}
	lines := []string{c.T("profile.lb.own", "Kind", kind, "Name", s.Unit.Name,
		"Rank", s.Place, "Of", len(standings), "People", s.Participants, "Rate", s.Rate())}
	if i == 0 {
		return append(lines, c.T("profile.lb.cheer.first"))
	}
	above := standings[i-1]
	return append(lines, c.T("profile.lb.cheer.gap", "Need", above.Participants-s.Participants+1, "Rank", above.Place))
}

// place is a medal for the first three, else the number.
func place(n int) string {
	switch n {
	case 1:
		return "🥇"
	case 2:
		return "🥈"
	case 3:
		return "🥉"
	}
	return strconv.Itoa(n) + "."
}

// rankCache keeps the participation counts of each period for a while, so
// that a burst of /leaderboard (a class, a commune meeting) costs one query
// per period and process. Each replica has its own: a ranking may lag up to
// the TTL, and nothing is lost with it.
type rankCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	mu     sync.Mutex // held while loading: concurrent misses wait for one query
	at     time.Time
	ok     bool
	counts []store.CommuneCount
}

func (rc *rankCache) get(key string, now time.Time, ttl time.Duration, load func() ([]store.CommuneCount, error)) ([]store.CommuneCount, error) {
	if ttl <= 0 {
		return load()
	}
	rc.mu.Lock()
	if rc.entries == nil {
		rc.entries = map[string]*cacheEntry{}
	}
	e := rc.entries[key]
	if e == nil {
		e = &cacheEntry{}
		rc.entries[key] = e
	}
	rc.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ok && !now.Before(e.at) && now.Sub(e.at) < ttl {
		return e.counts, nil
	}
	counts, err := load()
	if err != nil {
		return nil, err
	}
	e.at, e.ok, e.counts = now, true, counts
	return counts, nil
}
