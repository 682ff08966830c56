package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// QuizWriter creates attempts, records answers and finishes attempts as the
// DB methods of the same names do, but writes those that arrive together
// (many users answering at once) in one round trip and one commit: the
// answers in one statement, every statement of a batch in one implicit
// transaction. Each caller still returns only once its write is durable, so
// an update is acknowledged after its effects, as before; what it saves is
// PostgreSQL's work per commit, which bounds the quiz's throughput.
//
// When a batch fails (one bad write: an attempt erased meanwhile...),
// nothing of it was committed, and each of its writes is made alone, so
// that one bad write fails no other.
//
// Its workers start on demand and stop when idle: nothing to close.
type QuizWriter struct {
	db *DB
	// Workers is how many batches may be in flight at once. Fewer make
	// larger batches, so fewer commits; two leave half of a default pool
	// (4 connections on 2 cores) to the reads made beside the writes.
	Workers int
	// MaxBatch bounds the writes of one batch.
	MaxBatch int

	reqs    chan *writeReq
	running atomic.Int32
}

type writeKind uint8

const (
	writeAnswer writeKind = iota
	writeCreate
	writeFinish
	writeAnswerFinish // an answer, then the finish of its attempt
)

type writeReq struct {
	kind    writeKind
	answer  QuizAnswer
	create  NewQuizAttempt
	attempt int64 // to finish
	pass    int
	at      time.Time
	done    chan writeRes
}

type writeRes struct {
	answer   QuizAnswer
	id       int64
	finished FinishedAttempt
	err      error
}

// idleStop is how long a worker waits for work before it stops.
const idleStop = time.Second

// NewQuizWriter returns a writer over db.
func NewQuizWriter(db *DB) *QuizWriter {
	return &QuizWriter{db: db, Workers: 2, MaxBatch: 200, reqs: make(chan *writeReq, 1024)}
}

// CreateAttempt implements the same contract as DB.CreateAttempt.
func (w *QuizWriter) CreateAttempt(ctx context.Context, a NewQuizAttempt) (int64, error) {
	res := w.do(ctx, &writeReq{kind: writeCreate, create: a})
	return res.id, res.err
}

// RecordAnswer implements the same contract as DB.RecordAnswer.
func (w *QuizWriter) RecordAnswer(ctx context.Context, a QuizAnswer) (QuizAnswer, error) {
	res := w.do(ctx, &writeReq{kind: writeAnswer, answer: a})
	if res.err != nil {
		return a, res.err
	}
	return res.answer, nil
}

// AnswerAndFinish implements the same contract as DB.AnswerAndFinish, in
// one batch: the attempt's last answer costs one commit, not two.
func (w *QuizWriter) AnswerAndFinish(ctx context.Context, a QuizAnswer, passPercent int) (QuizAnswer, FinishedAttempt, error) {
	res := w.do(ctx, &writeReq{kind: writeAnswerFinish, answer: a, attempt: a.AttemptID, pass: passPercent, at: a.At})
	if res.err != nil {
		return a, res.finished, res.err
	}
	return res.answer, res.finished, nil
}

// FinishAttempt implements the same contract as DB.FinishAttempt.
func (w *QuizWriter) FinishAttempt(ctx context.Context, attemptID int64, passPercent int, at time.Time) (FinishedAttempt, error) {
	res := w.do(ctx, &writeReq{kind: writeFinish, attempt: attemptID, pass: passPercent, at: at})
	return res.finished, res.err
}

func (w *QuizWriter) do(ctx context.Context, r *writeReq) writeRes {
	r.done = make(chan writeRes, 1)
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		return writeRes{err: ctx.Err()}
	}
	if n := w.running.Load(); n < int32(w.Workers) && w.running.CompareAndSwap(n, n+1) {
		go w.work()
	}
	select {
	case res := <-r.done:
		return res
	case <-ctx.Done():
		// The write may still be made: every one of them may be made
		// again (answers and finishes count once; an attempt created
		// meanwhile is abandoned by the next one).
		return writeRes{err: ctx.Err()}
	}
}

func (w *QuizWriter) work() {
	defer w.running.Add(-1)
	idle := time.NewTimer(idleStop)
	defer idle.Stop()
	batch := make([]*writeReq, 0, 16)
	for {
		select {
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		case <-idle.C:
			// A request queued right as we stop still finds a worker: the
			// sender starts one when fewer than Workers run.
			select {
			case r := <-w.reqs:
				batch = append(batch[:0], r)
			default:
				return
			}
		}
	drain:
		for len(batch) < w.MaxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.write(batch)
		idle.Reset(idleStop)
	}
}

// alone makes one write by itself.
func (w *QuizWriter) alone(ctx context.Context, r *writeReq) writeRes {
	var res writeRes
	switch r.kind {
	case writeAnswer:
		res.answer, res.err = w.db.RecordAnswer(ctx, r.answer)
	case writeCreate:
		res.id, res.err = w.db.CreateAttempt(ctx, r.create)
	case writeFinish:
		res.finished, res.err = w.db.FinishAttempt(ctx, r.attempt, r.pass, r.at)
	case writeAnswerFinish:
		res.answer, res.finished, res.err = w.db.AnswerAndFinish(ctx, r.answer, r.pass)
	}
	return res
}

type answerKey struct {
	attempt  int64
	position int
}

func (w *QuizWriter) write(batch []*writeReq) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if len(batch) == 1 {
		batch[0].done <- w.alone(ctx, batch[0])
		return
	}
	results := make([]writeRes, len(batch))
	stored, err := w.batch(ctx, batch, results)
	if err != nil {
		// Nothing of the batch was committed: each write alone.
		for _, r := range batch {
			r.done <- w.alone(ctx, r)
		}
		return
	}
	for i, r := range batch {
		if r.kind == writeAnswer || r.kind == writeAnswerFinish {
			a, ok := stored[answerKey{r.answer.AttemptID, r.answer.Position}]
			if !ok {
				// Written meanwhile by another transaction (see
				// RecordAnswer): read as stored.
				r.done <- w.alone(ctx, r)
				continue
			}
			results[i].answer = a
		}
		r.done <- results[i]
	}
}

// batch sends the writes in one round trip, one implicit transaction: the
// answers in one statement, then each create and finish. It fills results
// (creates and finishes) and returns the answers as stored; any error means
// nothing was committed.
func (w *QuizWriter) batch(ctx context.Context, batch []*writeReq, results []writeRes) (map[answerKey]QuizAnswer, error) {
	var b pgx.Batch
	var attempts []int64
	var positions, chosen []int32
	var questions []string
	var correct []bool
	var at []time.Time
	first := make(map[answerKey]bool)
	for _, r := range batch {
		if r.kind != writeAnswer && r.kind != writeAnswerFinish {
			continue
		}
		k := answerKey{r.answer.AttemptID, r.answer.Position}
		if first[k] {
			continue // the same answer twice in one batch: the first counts
		}
		first[k] = true
		attempts, positions, questions = append(attempts, r.answer.AttemptID), append(positions, int32(r.answer.Position)), append(questions, r.answer.QuestionID)
		chosen, correct, at = append(chosen, int32(r.answer.Chosen)), append(correct, r.answer.Correct), append(at, r.answer.At)
	}
	stored := make(map[answerKey]QuizAnswer, len(attempts))
	if len(attempts) > 0 {
		b.Queue(batchAnswersSQL, attempts, positions, questions, chosen, correct, at).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var a QuizAnswer
				if err := rows.Scan(&a.AttemptID, &a.Position, &a.QuestionID, &a.Chosen, &a.Correct, &a.At); err != nil {
					return err
				}
				stored[answerKey{a.AttemptID, a.Position}] = a
			}
			return rows.Err()
		})
	}
	for i, r := range batch {
		switch r.kind {
		case writeCreate:
			args, err := createAttemptArgs(r.create)
			if err != nil {
				return nil, err
			}
			b.Queue(createAttemptSQL, args...).QueryRow(func(row pgx.Row) error {
				return row.Scan(&results[i].id)
			})
		case writeFinish, writeAnswerFinish:
			queueFinish(&b, &results[i].finished, r.attempt, r.pass, r.at)
		}
	}
	// Close reports the first error, the commit's included.
	return stored, w.db.Pool.SendBatch(ctx, &b).Close()
}
