package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Value is one answer as it is saved in a draft or a report: typed, in a
// canonical form that does not depend on the language it was typed in.
// It is stored as JSON (the answers of a draft are a JSON object of Values
// by field key) and must stay readable by every later version of this
// package: fields are only ever added.
type Value struct {
	Type Type `json:"type"`
	// Number holds a number or a percentage as a plain decimal: "1234.5",
	// no grouping, "." before the decimals.
	Number string `json:"number,omitempty"`
	// Yes holds a yes/no answer.
	Yes *bool `json:"yes,omitempty"`
	// Choice holds the key of the chosen option.
	Choice string `json:"choice,omitempty"`
	// Date holds a date as 2006-01-02.
	Date string `json:"date,omitempty"`
	// Text holds a text or long text, NFC.
	Text string `json:"text,omitempty"`
	// Files holds the attached files, in the order received.
	Files []FileRef `json:"files,omitempty"`
	// Skipped marks an optional field the user chose to leave blank.
	Skipped bool `json:"skipped,omitempty"`
}

// FileRef is an attached file as an answer names it; the bytes are stored
// once, by their SHA-256.
type FileRef struct {
	SHA256 string   `json:"sha256"`
	Name   string   `json:"name,omitempty"`
	MIME   string   `json:"mime,omitempty"`
	Size   int64    `json:"size"`
	Kind   FileKind `json:"kind"`
}

// Float returns a number or percentage as a float64, for a spreadsheet.
func (v Value) Float() (float64, bool) {
	if v.Number == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.Number, 64)
	return f, err == nil
}

// Equal reports whether two values are the same answer.
func (v Value) Equal(w Value) bool {
	if (v.Yes == nil) != (w.Yes == nil) || v.Yes != nil && *v.Yes != *w.Yes {
		return false
	}
	return v.Type == w.Type && v.Number == w.Number && v.Choice == w.Choice && v.Date == w.Date &&
		v.Text == w.Text && v.Skipped == w.Skipped && slices.Equal(v.Files, w.Files)
}

// DecodeAnswers reads the answers of a draft or report as stored.
func DecodeAnswers(data []byte) (map[string]Value, error) {
	answers := map[string]Value{}
	if len(data) == 0 {
		return answers, nil
	}
	if err := json.Unmarshal(data, &answers); err != nil {
		return nil, fmt.Errorf("report answers: %w", err)
	}
	if answers == nil { // the JSON was null
		answers = map[string]Value{}
	}
	return answers, nil
}

// EncodeAnswers writes answers as stored, keys sorted.
func EncodeAnswers(answers map[string]Value) ([]byte, error) {
	if answers == nil {
		answers = map[string]Value{}
	}
	return json.Marshal(maps.Clone(answers))
}

// The catalogue messages an InputError may name (locales/report.*.yaml).
// Their parameters are given for each; numbers and dates in parameters are
// already written for the user's language.
const (
	MsgRequired       = "report.input.required"        // an answer is needed (typed)
	MsgRequiredChoice = "report.input.required.choice" // an answer is needed, chosen: choice, yes/no
	MsgRequiredFile   = "report.input.required.file"   // a file is needed
	MsgEmpty          = "report.input.empty"           // nothing typed, on an optional field
	MsgNumber         = "report.input.number"          // not a number
	MsgNumberOnly     = "report.input.number.only"     // a number with words that are not the field's unit
	MsgNumberNone     = "report.input.none"            // "không", "none" at a required number field: type 0
	MsgNumberNoneSkip = "report.input.none.skip"       // the same at an optional one: type 0 or skip
	MsgNumberInteger  = "report.input.number.integer"  // decimals on a whole-number field
	MsgNumberDecimals = "report.input.number.decimals" // Decimals
	MsgNumberMin      = "report.input.number.min"      // Min
	MsgNumberRange    = "report.input.number.range"    // Min, Max
	MsgPercent        = "report.input.percent"         // Min, Max, Example; Fraction where it takes decimals
	MsgYesNo          = "report.input.yesno"           // not yes or no
	MsgChoice         = "report.input.choice"          // N: the number of options
	MsgDate           = "report.input.date"            // not a date
	MsgDateUnreal     = "report.input.date.unreal"     // 31/2, 30/13…
	MsgDateMin        = "report.input.date.min"        // Min
	MsgDateMax        = "report.input.date.max"        // Max
	MsgDateRange      = "report.input.date.range"      // Min, Max
	MsgTextTooLong    = "report.input.text.too_long"   // Length, Max
	MsgTextNoWords    = "report.input.text.no_words"   // no letter or digit: ".", "-", an emoji
	MsgFileExpected   = "report.input.file.expected"   // Kinds: text typed where a file is asked
	MsgFileType       = "report.input.file.type"       // Kinds
	MsgFileTooLarge   = "report.input.file.too_large"  // Size, Max (in MB)
	MsgFileEmpty      = "report.input.file.empty"      // an empty file
	MsgFileTooMany    = "report.input.file.too_many"   // Max
)

// Messages lists every message id an InputError may carry.
var Messages = []string{
	MsgRequired, MsgRequiredChoice, MsgRequiredFile, MsgEmpty, MsgNumber, MsgNumberOnly, MsgNumberNone, MsgNumberNoneSkip, MsgNumberInteger, MsgNumberDecimals, MsgNumberMin, MsgNumberRange,
	MsgPercent, MsgYesNo, MsgChoice, MsgDate, MsgDateUnreal, MsgDateMin, MsgDateMax, MsgDateRange,
	MsgTextTooLong, MsgTextNoWords, MsgFileExpected, MsgFileType, MsgFileTooLarge, MsgFileEmpty, MsgFileTooMany,
}

// InputError is an answer that cannot be taken: the catalogue message that
// explains why, and its parameters. The flow shows the message and asks
// again; nothing in it is user-facing text.
type InputError struct {
	ID     string
	Params map[string]any
}

func (e *InputError) Error() string {
	if len(e.Params) == 0 {
		return "report input: " + e.ID
	}
	keys := slices.Sorted(maps.Keys(e.Params))
	s := "report input: " + e.ID
	for _, k := range keys {
		s += fmt.Sprintf(" %s=%v", k, e.Params[k])
	}
	return s
}

func inputError(id string, kv ...any) *InputError {
	e := &InputError{ID: id}
	if len(kv) > 0 {
		e.Params = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Params[kv[i].(string)] = kv[i+1]
		}
	}
	return e
}
