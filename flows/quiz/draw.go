package quiz

import (
	"context"
	"errors"
	"math/rand/v2"

	"hocvuso/flows/quiz/bank"
	"hocvuso/store"
)

// draw picks the questions of a new attempt, as indices into b.Questions:
// for the quick test, spread over every area; for an area, spread over its
// competences. Each attempt draws afresh.
func (f *Flow) draw(b *bank.Bank, area string) []int {
	var groups [][]int
	n := f.cfg.QuickSize
	if area == "" {
		for _, a := range b.Areas {
			groups = append(groups, append([]int(nil), b.InArea(a.ID)...))
		}
	} else {
		n = f.cfg.AreaSize
		byComp := map[string]int{}
		for _, qi := range b.InArea(area) {
			c := b.Questions[qi].Competence
			g, ok := byComp[c]
			if !ok {
				g = len(groups)
				byComp[c] = g
				groups = append(groups, nil)
			}
			groups[g] = append(groups[g], qi)
		}
	}
	f.randMu.Lock()
	defer f.randMu.Unlock()
	shuffle := rand.Shuffle
	if f.cfg.Rand != nil {
		shuffle = f.cfg.Rand.Shuffle
	}
	for _, g := range groups {
		shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
	}
	shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	// Round robin over the groups, so each gets its share.
	picked := make([]int, 0, n)
	for round := 0; len(picked) < n; round++ {
		took := false
		for _, g := range groups {
			if round < len(g) && len(picked) < n {
				picked = append(picked, g[round])
				took = true
			}
		}
		if !took {
			break
		}
	}
	shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	return picked
}

// perm returns a random order of n options.
func (f *Flow) perm(n int) []int {
	f.randMu.Lock()
	defer f.randMu.Unlock()
	if f.cfg.Rand != nil {
		return f.cfg.Rand.Perm(n)
	}
	return rand.Perm(n)
}

// encodeOrder writes an option order as digits: [2 0 1] is "201".
func encodeOrder(order []int) string {
	b := make([]byte, len(order))
	for i, o := range order {
		b[i] = byte('0' + min(max(o, 0), 9))
	}
	return string(b)
}

// validOrder reports whether order shows each of n options once.
func validOrder(order string, n int) bool {
	if len(order) != n {
		return false
	}
	var seen [10]bool
	for i := 0; i < len(order); i++ {
		d := int(order[i]) - '0'
		if d < 0 || d >= n || seen[d] {
			return false
		}
		seen[d] = true
	}
	return true
}

// bankFor returns the bank of an attempt: the one in force, or an earlier
// version loaded once from PostgreSQL.
func (f *Flow) bankFor(ctx context.Context, version string) (*bank.Bank, error) {
	if version == f.bank.Version {
		return f.bank, nil
	}
	if b, ok := f.older.Load(version); ok {
		return b.(*bank.Bank), nil
	}
	stored, err := f.store.QuizBank(ctx, version)
	if err != nil {
		return nil, err
	}
	b, err := bank.Load(bank.File{Name: "quiz_banks " + version, Data: stored.Content})
	if err != nil {
		return nil, errNoBank{err}
	}
	f.older.Store(version, b)
	return b, nil
}

// errNoBank wraps a stored bank that no longer loads.
type errNoBank struct{ err error }

func (e errNoBank) Error() string { return "quiz: stored bank does not load: " + e.err.Error() }

func errorsIsNoBank(err error) bool {
	var nb errNoBank
	return errors.Is(err, store.ErrNoQuizBank) || errors.As(err, &nb)
}
