package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"hocvuso/flows/quiz"
	"hocvuso/flows/quiz/bank"
)

// maxQuizFileSize bounds what is read of one bank file: the built-in bank,
// 182 questions in both languages, is about 210 KB.
const maxQuizFileSize = 8 << 20

func init() {
	registerImporter(importer{
		kind:  "quiz",
		usage: "[--check] FILE...  replace the question bank (see README); --builtin goes back to the embedded one",
		run:   runImportQuiz,
	})
}

// runImportQuiz checks a question bank and stores it as the active one. A
// bank with a problem is rejected whole, each problem with its line.
func runImportQuiz(ctx context.Context, e *env, args []string) error {
	check, builtin := false, false
	var paths []string
	for _, a := range args {
		switch a {
		case "--check":
			check = true
		case "--builtin":
			builtin = true
		default:
			if strings.HasPrefix(a, "-") {
				return fmt.Errorf("import quiz: unknown option %s (use --check or --builtin)", a)
			}
			paths = append(paths, a)
		}
	}
	if builtin {
		if check || len(paths) > 0 {
			return errors.New("import quiz: --builtin takes no file")
		}
		_, db, err := loadStore(ctx, e)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.DeactivateQuizBanks(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(e.stdout, "No imported bank was active: the bots already use the bank built into their binary.")
			return nil
		}
		fmt.Fprintln(e.stdout, "The imported bank is set aside: the bots use the bank built into their binary from their next start.")
		return nil
	}
	if len(paths) == 0 {
		return errors.New("import quiz: give the bank file: hocvuso import quiz [--check] FILE")
	}
	files := make([]bank.File, 0, len(paths))
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		data, err := readLimited(p, maxQuizFileSize)
		if err != nil {
			return fmt.Errorf("import quiz: %w", err)
		}
		files = append(files, bank.File{Name: p, Data: data})
		names = append(names, filepath.Base(p))
	}
	source := strings.Join(names, ", ")
	if check {
		b, err := bank.Load(files...)
		if err != nil {
			return rejected(err)
		}
		fmt.Fprintf(e.stdout, "%s: a sound quiz bank, version %s: %s. Nothing was stored.\n", source, b.Version, describe(b))
		return nil
	}
	_, db, err := loadStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	b, created, err := quiz.ImportBank(ctx, db, source, time.Now(), files...)
	if err != nil {
		var be *bank.Error
		if errors.As(err, &be) {
			return rejected(err)
		}
		return err
	}
	what := "imported"
	if !created {
		what = "already stored: made active again"
	}
	fmt.Fprintf(e.stdout, "Quiz bank %s, %s: %s, from %s.\nRestart `hocvuso serve` (every replica) to use it; attempts in progress keep their own bank.\n",
		b.Version, what, describe(b), source)
	return nil
}

func rejected(err error) error {
	return fmt.Errorf("import quiz: the bank was rejected, nothing was stored:\n%w", err)
}

func describe(b *bank.Bank) string {
	competences := 0
	for _, a := range b.Areas {
		competences += len(a.Competences)
	}
	return fmt.Sprintf("%d questions, %d areas, %d competences", len(b.Questions), len(b.Areas), competences)
}
