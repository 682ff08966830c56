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
	// deliveredTotal counts what became of deliveries: sent, failed (gave
	// up), blocked (the recipient blocked the bot), cancelled (no longer
	// due), retried (an attempt failed, another will come).
	deliveredTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "hocvuso_reminders_total",
		Help: "What became of deliveries, by rule and outcome (sent, failed, blocked, cancelled, retried, snoozed).",
	}, []string{"rule", "outcome"})
	planSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Name:    "hocvuso_reminders_plan_duration_seconds",
		Help:    "Time to evaluate the rules and plan their deliveries.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
)

func observe(rule, outcome string) { deliveredTotal.WithLabelValues(rule, outcome).Inc() }
