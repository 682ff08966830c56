package scheduler

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	plannedTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "hocvuso_reminders_planned_total",
		Help: "Deliveries planned (one per rule, recipient and occurrence), by rule.",
	}, []string{"rule"})
	// deliveredTotal counts what became of deliveries: the states they end
	// in, and the attempts that did not end them.
	deliveredTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "hocvuso_reminders_total",
		Help: "What became of deliveries (reminders, digests, nudges, officials' notices), by rule and outcome: " +
			"sent; cancelled (no longer due, nothing to send, or its job cancelled by an operator); blocked (the recipient blocked the bot everywhere, or has no account a running channel serves); " +
			"unreachable (on Zalo only, outside its 7-day window, and no template carries it); failed (gave up after the last attempt, or its job lost with no attempt or time left); " +
			"retried (an attempt failed, another will come); requeued (its job lost, a replica dying on its last attempt: a new one sends it); snoozed (quiet hours, the rate limit, a 429, an error of PostgreSQL or Redis, or this process stopping: back later, no attempt counted).",
	}, []string{"rule", "outcome"})
	planSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Name:    "hocvuso_reminders_plan_duration_seconds",
		Help:    "Time to evaluate the rules and plan their deliveries.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
)

func observe(rule, outcome string) { deliveredTotal.WithLabelValues(rule, outcome).Inc() }
