package web

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"govsearch/index"
)

// metrics are the Prometheus series of the HTTP layer.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// newMetrics registers the request series and the index gauges on reg. The
// gauges read s.Stats() at scrape time, so they follow ingests and deletes.
func newMetrics(reg *prometheus.Registry, s index.Reader) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govsearch_http_requests_total",
			Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "govsearch_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5, 10},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	stat := func(f func(index.Stats) float64) func() float64 {
		return func() float64 {
			if s == nil {
				return 0
			}
			return f(s.Stats())
		}
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "govsearch_index_documents",
			Help: "Paragraph documents in the open index.",
		}, stat(func(st index.Stats) float64 { return float64(st.Documents) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "govsearch_index_reports",
			Help: "Reports in the open index.",
		}, stat(func(st index.Stats) float64 { return float64(st.Reports) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "govsearch_index_size_bytes",
			Help: "Size of the open index on disk.",
		}, stat(func(st index.Stats) float64 { return float64(st.SizeBytes) })),
	)
	return m
}

// knownMethods keeps the method label bounded: odd methods share one value.
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.latency.WithLabelValues(route, method, code).Observe(d.Seconds())
}
