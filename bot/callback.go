package bot

import (
	"errors"
	"strconv"
	"strings"
)

// Callback is the structured content of a button's data: which flow handles
// it, what to do, on which screen the button was shown, and an argument.
//
// Encoded as "flow|action|screen|arg" to fit Telegram's 64-byte limit.
// The screen number lets a flow recognise a tap on an old message.
type Callback struct {
	Flow   string
	Action string
	Screen int
	Arg    string
}

// MaxCallbackData is Telegram's limit on callback data, in bytes.
const MaxCallbackData = 64

var errBadCallback = errors.New("bot: malformed callback data")

// String encodes the callback. It panics when the result would not fit, as
// that is a programming error in a flow.
func (c Callback) String() string {
	s := c.Flow + "|" + c.Action + "|" + strconv.Itoa(c.Screen) + "|" + c.Arg
	if len(s) > MaxCallbackData || !validName(c.Flow) || !validName(c.Action) || c.Screen < 0 {
		panic("bot: callback does not encode: " + s)
	}
	return s
}

// ParseCallback decodes callback data from outside; anything malformed is an error.
func ParseCallback(s string) (Callback, error) {
	if len(s) > MaxCallbackData {
		return Callback{}, errBadCallback
	}
	parts := strings.SplitN(s, "|", 4)
	if len(parts) != 4 || !validName(parts[0]) || !validName(parts[1]) {
		return Callback{}, errBadCallback
	}
	if parts[2] == "" || len(parts[2]) > 9 {
		return Callback{}, errBadCallback
	}
	n := 0
	for _, r := range parts[2] {
		if r < '0' || r > '9' {
			return Callback{}, errBadCallback
		}
		n = n*10 + int(r-'0')
	}
	return Callback{Flow: parts[0], Action: parts[1], Screen: n, Arg: parts[3]}, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
