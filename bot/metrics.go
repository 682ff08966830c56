package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	updatesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "hocvuso_updates_total",
		Help: "Inbound updates by channel and outcome (ok, duplicate, redelivered, poison, error).",
	}, []string{"channel", "outcome"})
	updateSeconds = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hocvuso_update_duration_seconds",
		Help:    "Time to handle one update, delivery of the replies included.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"channel"})
	outboundTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "hocvuso_outbound_requests_total",
		Help: "Calls to a channel's API by method and status (HTTP status or error class).",
	}, []string{"channel", "method", "status"})
	droppedTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "hocvuso_replies_dropped_total",
		Help: "Replies not delivered, by channel and reason: no_sender (no sender for the reply's channel in this process); failed (a reply to another chat, like /link's word to the other account, failed after the channel's retries); document_refused (a file the channel cannot carry: the reply went without it); menu (a chat's command menu not set: the chat keeps the one it had).",
	}, []string{"channel", "reason"})
)

func observeUpdate(ch Channel, outcome string, d time.Duration) {
	updatesTotal.WithLabelValues(string(ch), outcome).Inc()
	updateSeconds.WithLabelValues(string(ch)).Observe(d.Seconds())
}

// ObserveOutbound counts one call to a channel's API.
func ObserveOutbound(ch Channel, method, status string) {
	outboundTotal.WithLabelValues(string(ch), method, status).Inc()
}
