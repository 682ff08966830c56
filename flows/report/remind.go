package report

import (
	"strings"

	"hocvuso/bot"
)

// RemindAction is the action of the button under a deadline reminder
// (package scheduler): its argument is "<period> <unit>". The reminder is
// sent outside the conversation, so the button holds on any screen.
const RemindAction = "remind"

// RemindButton is the callback data of a reminder's button opening the
// report of unit for period; ok is false when it would not fit a button.
func RemindButton(periodID, unitCode string) (data string, ok bool) {
	cb := bot.Callback{Flow: Name, Action: RemindAction, Arg: periodID + " " + unitCode}
	if len(cb.Flow)+len(cb.Action)+len(cb.Arg)+len("||0|") > bot.MaxCallbackData {
		return "", false
	}
	return cb.String(), true
}

// Standalone implements flows.Standalone: a reminder's button works after
// the conversation was forgotten (its session expired), as it often is.
func (*Flow) Standalone(cb bot.Callback) bool { return cb.Action == RemindAction }

// remindTapped opens the unit's report for the period, as the list's
// button does, for a focal point of the unit.
func (f *Flow) remindTapped(c *bot.Conversation, arg string) error {
	period, unit, ok := strings.Cut(arg, " ")
	if !ok {
		c.Notice(c.T("stale.button"))
		return nil
	}
	may, err := f.mayReport(c, unit)
	if err != nil {
		return err
	}
	if !may {
		return f.notFocal(c)
	}
	return f.open(c, unit, period)
}
