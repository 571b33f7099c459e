package web

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestReadyzAndMetricsReportReplication(t *testing.T) {
	state := Replication{Role: "replica", Generation: "gen-7", Seq: 7, Lag: 2, LagSeconds: 1.5, NATS: "disconnected",
		Error: "refused gen-9: a file does not match", Installed: 6, Refused: 1, Forwarded: 3}
	for _, tc := range []struct {
		name string
		opts Options
		want map[string]any // fields of /readyz beyond the index's; nil: none
	}{
		{"a server on its own", Options{}, nil},
		{"a replica", Options{Replication: func() Replication { return state }}, map[string]any{
			"role": "replica", "generation": "gen-7", "lag": 2.0, "lag_seconds": 1.5, "nats": "disconnected", "error": "refused gen-9: a file does not match"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, newFakeSearcher(testReports()...), tc.opts)
			w := ts.get(t, "/readyz")
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 200 {
				t.Fatalf("/readyz: %d %s", w.Code, w.Body)
			}
			for _, k := range []string{"role", "generation", "lag", "lag_seconds", "nats", "error", "seq", "installed"} {
				if got, want := body[k], tc.want[k]; got != want {
					t.Errorf("/readyz %s = %v, want %v", k, got, want)
				}
			}
			metrics := ts.get(t, "/metrics").Body.String()
			for _, line := range []string{
				"govsearch_replication_generation 7", "govsearch_replication_lag 2", "govsearch_replication_lag_seconds 1.5",
				"govsearch_replication_nats_connected 0", "govsearch_replication_generations_total 6",
				"govsearch_replication_failures_total 1", "govsearch_replication_forwarded_writes_total 3",
			} {
				if has := strings.Contains(metrics, "\n"+line+"\n"); has != (tc.want != nil) {
					t.Errorf("/metrics has %q: %v", line, has)
				}
			}
		})
	}
}
