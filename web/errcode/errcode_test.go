package errcode

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"

	"govsearch/index"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"query syntax", &index.QueryError{Message: "unterminated quote"}, InvalidQuery},
		{"query too long", &index.ValidationError{Param: "q", Message: "too long"}, InvalidQuery},
		{"bad size", &index.ValidationError{Param: "size", Message: "101 is above the limit of 100"}, InvalidParameter},
		{"wrapped bad report", fmt.Errorf("add: %w", &index.ValidationError{Param: "reports", Message: "no id"}), InvalidParameter},
		{"unknown id", fmt.Errorf("report %q: %w", "x", index.ErrNotFound), NotFound},
		{"deadline", fmt.Errorf("search: %w", context.DeadlineExceeded), Timeout},
		{"canceled", context.Canceled, Timeout},
		{"disk full", fmt.Errorf("index: writing: %w", syscall.ENOSPC), InsufficientDisk},
		{"disk full as text", errors.New("write /x: no space left on device"), InsufficientDisk},
		{"anything else", errors.New("disk exploded"), Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.err); got != tc.code {
				t.Errorf("Of(%v) = %s, want %s", tc.err, got, tc.code)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
	}{
		{InvalidQuery, http.StatusBadRequest},
		{Timeout, http.StatusGatewayTimeout},
		{IndexUnavailable, http.StatusServiceUnavailable},
		{"no_such_code", http.StatusInternalServerError},
	} {
		t.Run(tc.code, func(t *testing.T) {
			if got := Status(tc.code); got != tc.status {
				t.Errorf("Status(%s) = %d, want %d", tc.code, got, tc.status)
			}
		})
	}
	for _, code := range Codes() {
		if Status(code) == http.StatusInternalServerError && code != Internal {
			t.Errorf("%s has no status of its own", code)
		}
	}
}
