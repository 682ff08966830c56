package quiz

import (
	"context"
	"fmt"
	"time"

	"hocvuso/flows/quiz/bank"
	"hocvuso/store"
)

// BankStore is what loading and importing banks needs of the records.
type BankStore interface {
	ActiveQuizBank(ctx context.Context) (store.QuizBank, bool, error)
	RecordQuizBank(ctx context.Context, version, source string, content []byte) error
	ImportQuizBank(ctx context.Context, version, source string, content []byte, at time.Time) (bool, error)
}

// SourceEmbedded names the bank built into the binary in quiz_banks.
const SourceEmbedded = "embedded"

// LoadBank returns the bank in force: the one an administrator imported
// last (hocvuso import quiz), else the bank built into the binary, which is
// recorded so that attempts can name its version.
func LoadBank(ctx context.Context, st BankStore) (b *bank.Bank, source string, err error) {
	active, ok, err := st.ActiveQuizBank(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("quiz bank: %w", err)
	}
	if ok {
		b, err := bank.Load(bank.File{Name: "imported bank " + active.Version + " (" + active.Source + ")", Data: active.Content})
		if err != nil {
			return nil, "", fmt.Errorf("quiz bank: the active imported bank does not load (fix it and import it again, or go back to the embedded bank with `hocvuso import quiz --builtin`):\n%w", err)
		}
		return b, active.Source, nil
	}
	if b, err = bank.Embedded(); err != nil {
		return nil, "", fmt.Errorf("quiz bank: the embedded bank does not load:\n%w", err)
	}
	if err := st.RecordQuizBank(ctx, b.Version, SourceEmbedded, b.Canonical()); err != nil {
		return nil, "", fmt.Errorf("quiz bank: record the embedded bank: %w", err)
	}
	return b, SourceEmbedded, nil
}

// ImportBank checks a bank's files and, when they are sound, stores the
// bank as the active one; source names it (the file's name). Nothing is
// stored when a file has a problem: the error lists them with their lines.
func ImportBank(ctx context.Context, st BankStore, source string, at time.Time, files ...bank.File) (b *bank.Bank, created bool, err error) {
	if b, err = bank.Load(files...); err != nil {
		return nil, false, err
	}
	created, err = st.ImportQuizBank(ctx, b.Version, source, b.Canonical(), at)
	return b, created, err
}
