package bot

import (
	"fmt"
	"time"
)

// RetryAfterError is returned by a Sender when the channel refused a
// message for now and said when to try again (Telegram's 429 with
// retry_after): the message was not sent, and may be sent after After.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }
