package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// Type is the type of a field: what a user gives and how it is checked.
type Type string

// The field types.
const (
	TypeNumber   Type = "number"   // a number, whole unless decimals is set; min 0 unless set
	TypePercent  Type = "percent"  // a percentage, 0 to 100 unless narrowed
	TypeYesNo    Type = "yesno"    // có / không
	TypeChoice   Type = "choice"   // one of the options
	TypeDate     Type = "date"     // a calendar date
	TypeText     Type = "text"     // one short line
	TypeLongText Type = "longtext" // several lines or paragraphs
	TypeFile     Type = "file"     // one or more attached files
)

// Types lists every field type.
var Types = []Type{TypeNumber, TypePercent, TypeYesNo, TypeChoice, TypeDate, TypeText, TypeLongText, TypeFile}

// FileKind is a kind of attached file, by what it holds.
type FileKind string

// The file kinds a file field may accept.
const (
	FilePDF   FileKind = "pdf"
	FileWord  FileKind = "word"  // .doc, .docx, .odt
	FileExcel FileKind = "excel" // .xls, .xlsx, .ods
	FileImage FileKind = "image" // .jpg, .png, .webp, .heic
)

// FileKinds lists every file kind.
var FileKinds = []FileKind{FilePDF, FileWord, FileExcel, FileImage}

// Defaults and limits of fields.
const (
	DefaultTextMax     = 200
	DefaultLongTextMax = 3000
	// MaxTextLimit and MaxLongTextLimit bound max_length: an answer must fit
	// in one chat message (Telegram: 4096 characters).
	MaxTextLimit       = 500
	MaxLongTextLimit   = 3500
	DefaultPercentDec  = 2
	MaxDecimals        = 4
	DefaultFileSizeMB  = 20
	MaxFileSizeMB      = 20 // the Telegram Bot API downloads files up to 20 MB
	DefaultMaxFiles    = 1
	MaxFilesLimit      = 10
	MinOptions         = 2
	MaxOptions         = 12
	MaxKeyLength       = 40
	MaxLabelLength     = 200
	MaxHelpLength      = 600
	MaxTitleLength     = 120
	MaxOptionLength    = 60
	MaxUnitLength      = 30
	maxNumberDigits    = 15 // digits of a number answer, all parts together
	maxNumberInputSize = 40 // runes of a typed number, units and spaces included
)

// Option is one option of a choice field.
type Option struct {
	Key   string `json:"key"`
	Label Text   `json:"label"`
}

// Field is one question of a form.
type Field struct {
	Key      string `json:"key"`
	Type     Type   `json:"type"`
	Label    Text   `json:"label"`
	Help     Text   `json:"help"` // optional; empty when the label says it all
	Required bool   `json:"required,omitempty"`
	// Kinds limits the field to units of these kinds; empty: every unit.
	Kinds []Kind `json:"kinds,omitempty"`

	// number and percent: bounds as canonical decimals ("0", "100", "2.5");
	// "" for no bound. Decimals is how many digits may follow the decimal
	// separator. Unit names what is counted ("lớp", "người"); a user may
	// type it after the number.
	Min      string `json:"min,omitempty"`
	Max      string `json:"max,omitempty"`
	Decimals int    `json:"decimals,omitempty"`
	Unit     Text   `json:"unit,omitzero"`

	// date: bounds as "2006-01-02"; "" for no bound.
	MinDate string `json:"min_date,omitempty"`
	MaxDate string `json:"max_date,omitempty"`

	// text and longtext: the longest answer, in characters.
	MaxLength int `json:"max_length,omitempty"`

	// choice
	Options []Option `json:"options,omitempty"`

	// file
	Accept    []FileKind `json:"accept,omitempty"`
	MaxSizeMB int        `json:"max_size_mb,omitempty"`
	MaxFiles  int        `json:"max_files,omitempty"`
}

// AppliesTo reports whether the field is asked of units of kind.
func (f *Field) AppliesTo(kind Kind) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, kind) }

// Option returns a choice field's option by key.
func (f *Field) Option(key string) (Option, bool) {
	for _, o := range f.Options {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}

// Section is a titled group of fields: "general", a content area of section
// III.2 of the decision ("a".."g", "dd" for đ), an assessment, the annexes.
type Section struct {
	Key    string   `json:"key"`
	Title  Text     `json:"title"`
	Fields []*Field `json:"fields"`
}

// Form is one version of a form.
type Form struct {
	ID       string     `json:"id"`
	Version  int        `json:"version"`
	Title    Text       `json:"title"`
	Sections []*Section `json:"sections"`

	// File is the file it was read from; Content that file's bytes, as
	// stored with the reports made with it.
	File    string `json:"-"`
	Content []byte `json:"-"`
	// Hash identifies the content, comments and layout aside: a short hex
	// SHA-256 of the form's canonical JSON. Two files with the same id and
	// version must have the same hash.
	Hash string `json:"-"`

	byKey map[string]*Field
}

// Field returns a field by key.
func (f *Form) Field(key string) (*Field, bool) {
	fl, ok := f.byKey[key]
	return fl, ok
}

// Fields lists every field, in form order.
func (f *Form) Fields() []*Field {
	var out []*Field
	for _, s := range f.Sections {
		out = append(out, s.Fields...)
	}
	return out
}

// FieldsFor lists the fields asked of units of kind, in form order.
func (f *Form) FieldsFor(kind Kind) []*Field {
	var out []*Field
	for _, s := range f.Sections {
		for _, fl := range s.Fields {
			if fl.AppliesTo(kind) {
				out = append(out, fl)
			}
		}
	}
	return out
}

// SectionOf returns the section holding a field.
func (f *Form) SectionOf(key string) (*Section, bool) {
	for _, s := range f.Sections {
		for _, fl := range s.Fields {
			if fl.Key == key {
				return s, true
			}
		}
	}
	return nil, false
}

// Missing lists the required fields, asked of units of kind, that answers
// lacks or holds an answer for that the field no longer accepts.
func (f *Form) Missing(kind Kind, answers map[string]Value) []*Field {
	var out []*Field
	for _, fl := range f.FieldsFor(kind) {
		if !fl.Required {
			continue
		}
		v, ok := answers[fl.Key]
		if !ok || v.Skipped || fl.Check(v) != nil {
			out = append(out, fl)
		}
	}
	return out
}

// Carry moves answers made with another version of a form to this one: an
// answer is kept when this form has a field with the same key that accepts
// it (same type, within bounds, an option that still exists); the keys of
// the others are returned, sorted, for the flow to tell the user.
func (f *Form) Carry(answers map[string]Value) (kept map[string]Value, dropped []string) {
	kept = map[string]Value{}
	for k, v := range answers {
		fl, ok := f.byKey[k]
		if ok && (v.Skipped && v.Type == fl.Type && !fl.Required || fl.Check(v) == nil) {
			kept[k] = v
			continue
		}
		dropped = append(dropped, k)
	}
	slices.Sort(dropped)
	return kept, dropped
}

func (f *Form) index() {
	f.byKey = map[string]*Field{}
	for _, s := range f.Sections {
		for _, fl := range s.Fields {
			f.byKey[fl.Key] = fl
		}
	}
	canonical, err := json.Marshal(f)
	if err != nil {
		panic(err) // plain strings, ints and slices: cannot happen
	}
	sum := sha256.Sum256(canonical)
	f.Hash = hex.EncodeToString(sum[:8])
}
