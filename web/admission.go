package web

import (
	"runtime"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"govsearch/web/errcode"
)

// Admission control: each class of work has a fixed number of slots. A
// request waits at most QueueWait for one, then gets a fast 503 overloaded
// with Retry-After, so that overload turns into refusals a client can retry
// instead of every request slowing down to the 504 of its timeout.
const (
	DefaultQueueWait  = 50 * time.Millisecond
	overloadRetrySecs = 1
)

// DefaultMaxSearches is the default bound on concurrent searches and
// lookups: a few per core, enough to keep the cores busy while requests
// wait on I/O.
func DefaultMaxSearches() int { return 4 * runtime.GOMAXPROCS(0) }

// DefaultMaxHeavy is the default bound on concurrent research-view and export
// requests, which walk every matching paragraph: half the cores, at least
// one, so that searches keep the rest.
func DefaultMaxHeavy() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// Classes of admitted work, the label of the admission metrics.
const (
	classSearch = "search"
	classHeavy  = "heavy"
)

// gate is the slots of one class.
type gate struct {
	class string
	slots chan struct{}
	wait  time.Duration
	m     *admissionMetrics
}

func newGate(class string, n int, wait time.Duration, m *admissionMetrics) *gate {
	m.capacity.WithLabelValues(class).Set(float64(n))
	return &gate{class: class, slots: make(chan struct{}, n), wait: wait, m: m}
}

// acquire takes a slot, waiting at most g.wait; it reports whether it got
// one.
func (g *gate) acquire(done <-chan struct{}) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	g.m.queued.WithLabelValues(g.class).Inc()
	if g.wait <= 0 {
		return false
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-done:
	}
	return false
}

func (g *gate) release() { <-g.slots }

// admit is the middleware of one class: the handler runs holding a slot.
func (s *server) admit(g *gate) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !g.acquire(c.Request.Context().Done()) {
			g.m.rejected.WithLabelValues(g.class).Inc()
			c.Header("Retry-After", strconv.Itoa(overloadRetrySecs))
			s.fail(c, &Error{Code: errcode.Overloaded, Message: "the server is busy with other " + g.class + " requests; retry in a second"})
			return
		}
		g.m.inFlight.WithLabelValues(g.class).Inc()
		defer func() {
			g.m.inFlight.WithLabelValues(g.class).Dec()
			g.release()
		}()
		c.Next()
	}
}

// admissionMetrics are the series of admission control.
type admissionMetrics struct {
	rejected, queued   *prometheus.CounterVec
	inFlight, capacity *prometheus.GaugeVec
}

func newAdmissionMetrics(reg *prometheus.Registry) *admissionMetrics {
	m := &admissionMetrics{
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govsearch_http_rejected_total",
			Help: "Requests refused with 503 overloaded because every slot of their class was taken, by class.",
		}, []string{"class"}),
		queued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govsearch_http_queued_total",
			Help: "Requests that found every slot of their class taken and waited (then ran or were refused), by class.",
		}, []string{"class"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "govsearch_http_in_flight",
			Help: "Admitted requests running now, by class.",
		}, []string{"class"}),
		capacity: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "govsearch_http_capacity",
			Help: "Slots of each class of admitted requests.",
		}, []string{"class"}),
	}
	reg.MustRegister(m.rejected, m.queued, m.inFlight, m.capacity)
	return m
}
