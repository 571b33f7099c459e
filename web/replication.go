package web

import "github.com/prometheus/client_golang/prometheus"

// Replication is a server's place in a replicated deployment (a writer and
// read replicas following it through NATS JetStream), as /readyz and
// /metrics report it. Options.Replication supplies it; a server on its own
// has none and reports none.
type Replication struct {
	// Role is "writer" or "replica".
	Role string `json:"role"`
	// Generation names the published generation a replica serves, or the
	// last one a writer published; "" before the first.
	Generation string `json:"generation"`
	// Lag is how many published generations a replica has not installed
	// yet, as of its last contact with NATS; for a writer, how many
	// committed writes are not published yet.
	Lag int `json:"lag"`
	// LagSeconds is how long the oldest of those has been waiting.
	LagSeconds float64 `json:"lag_seconds"`
	// NATS is "connected" or "disconnected".
	NATS string `json:"nats"`
	// Error is the last replication failure since the last success, such
	// as a refused generation; "" when there is none.
	Error string `json:"error,omitempty"`

	// Counters for /metrics only.
	Seq       uint64 `json:"-"` // the number of the generation Generation names
	Installed uint64 `json:"-"` // generations installed (replica) or published (writer)
	Refused   uint64 `json:"-"` // generations refused (replica) or failed publications (writer)
	Forwarded uint64 `json:"-"` // writes forwarded (replica) or answered for a replica (writer)
}

// Connected is the value of Replication.NATS while connected.
const Connected = "connected"

// registerReplication adds the replication series to reg; they read status
// at scrape time.
func registerReplication(reg *prometheus.Registry, status func() Replication) {
	gauge := func(name, help string, f func(Replication) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return f(status()) })
	}
	counter := func(name, help string, f func(Replication) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f(status())) })
	}
	reg.MustRegister(
		gauge("govsearch_replication_generation", "Number of the published generation served (replica) or last published (writer).",
			func(r Replication) float64 { return float64(r.Seq) }),
		gauge("govsearch_replication_lag", "Published generations not installed yet (replica), or committed writes not published yet (writer).",
			func(r Replication) float64 { return float64(r.Lag) }),
		gauge("govsearch_replication_lag_seconds", "How long the oldest generation or write counted by govsearch_replication_lag has waited.",
			func(r Replication) float64 { return r.LagSeconds }),
		gauge("govsearch_replication_nats_connected", "1 while the connection to NATS is up, else 0.",
			func(r Replication) float64 {
				if r.NATS == Connected {
					return 1
				}
				return 0
			}),
		counter("govsearch_replication_generations_total", "Generations installed (replica) or published (writer).",
			func(r Replication) uint64 { return r.Installed }),
		counter("govsearch_replication_failures_total", "Generations refused (replica) or publications that failed (writer).",
			func(r Replication) uint64 { return r.Refused }),
		counter("govsearch_replication_forwarded_writes_total", "Writes forwarded to the writer (replica) or answered for a replica (writer).",
			func(r Replication) uint64 { return r.Forwarded }),
	)
}
