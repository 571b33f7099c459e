package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestServeRefusesBadReplicationFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"a role without NATS", []string{"--role", "writer"}, nil, "need --nats"},
		{"a CA without NATS", []string{"--nats-ca", "ca.pem"}, nil, "need --nats"},
		{"NATS without a role", []string{"--nats", "nats://127.0.0.1:4222"}, nil, "needs --role writer or --role replica"},
		{"an unknown role", []string{"--nats", "nats://127.0.0.1:4222", "--role", "leader"}, nil, `role "leader": want writer or replica`},
		{"a URL without a scheme", []string{"--nats", "127.0.0.1:4222", "--role", "writer"}, nil, "has no scheme: write nats://127.0.0.1:4222"},
		{"a writer's flag on a replica", []string{"--nats", "nats://h:4222", "--role", "replica", "--nats-replicas", "1"}, nil, "are the writer's"},
		{"too many bucket replicas", []string{"--nats", "nats://h:4222", "--role", "writer", "--nats-replicas", "7"}, nil, "JetStream allows 1 to 5"},
		{"a certificate without its key", []string{"--nats", "nats://h:4222", "--role", "writer", "--nats-cert", "c.pem"}, nil, "both its certificate and its key"},
		{"a user without a password", []string{"--nats", "nats://h:4222", "--role", "replica"}, map[string]string{"GOVSEARCH_NATS_USER": "replica"}, "set both GOVSEARCH_NATS_USER and GOVSEARCH_NATS_PASSWORD"},
		{"two kinds of credentials", []string{"--nats", "nats://h:4222", "--role", "replica"}, map[string]string{"GOVSEARCH_NATS_TOKEN": "t", "GOVSEARCH_NATS_CREDS": "x.creds"}, "only one kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"GOVSEARCH_NATS_USER", "GOVSEARCH_NATS_PASSWORD", "GOVSEARCH_NATS_TOKEN", "GOVSEARCH_NATS_CREDS"} {
				t.Setenv(k, tc.env[k])
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"serve", "--index", t.TempDir(), "--addr", "127.0.0.1:0"}, tc.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}
