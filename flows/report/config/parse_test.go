package config_test

import (
	"errors"
	"strings"
	"testing"

	"hocvuso/flows/report/config"
	"hocvuso/locales"
)

// testForm has a field of every type, with bounds.
const testForm = `id: t
version: 1
title: {vi: "Thử", en: "Test"}
sections:
  - key: general
    title: {vi: "Chung", en: "General"}
    fields:
      - key: count
        type: number
        required: true
        max: 10000000
        unit: {vi: "lớp", en: "classes"}
        label: {vi: "Số lớp", en: "Classes"}
        help: {vi: "Một số.", en: "A number."}
      - key: score
        type: number
        min: -10
        max: 100
        decimals: 2
        label: {vi: "Điểm", en: "Score"}
        help: {vi: "Một số.", en: "A number."}
      - key: open
        type: number
        label: {vi: "Số người", en: "People"}
        help: {vi: "Một số.", en: "A number."}
      - key: pct
        type: percent
        required: true
        label: {vi: "Tỉ lệ", en: "Share"}
        help: {vi: "Từ 0 đến 100.", en: "0 to 100."}
      - key: pct_narrow
        type: percent
        min: 50
        max: 90
        decimals: 1
        label: {vi: "Tỉ lệ hẹp", en: "Narrow share"}
        help: {vi: "Từ 50 đến 90.", en: "50 to 90."}
      - key: yn
        type: yesno
        label: {vi: "Có không", en: "Yes or no"}
        help: {vi: "Có hoặc không.", en: "Yes or no."}
      - key: issued
        type: yesno
        label: {vi: "Đơn vị đã ban hành văn bản triển khai chưa?", en: "Has the unit issued its plan?"}
      - key: level
        type: choice
        required: true
        label: {vi: "Mức", en: "Level"}
        help: {vi: "Chọn.", en: "Choose."}
        options:
          - key: excellent
            label: {vi: "Hoàn thành xuất sắc", en: "Excellent"}
          - key: good
            label: {vi: "Hoàn thành tốt", en: "Good"}
          - key: done
            label: {vi: "Hoàn thành", en: "Completed"}
          - key: not_done
            label: {vi: "Chưa hoàn thành", en: "Not completed"}
      - key: day
        type: date
        label: {vi: "Ngày", en: "Day"}
        help: {vi: "Ngày/tháng/năm.", en: "Day/month/year."}
      - key: day_2025
        type: date
        min: 2025-01-01
        max: 2025-12-31
        label: {vi: "Ngày năm 2025", en: "A day of 2025"}
        help: {vi: "Ngày/tháng/năm.", en: "Day/month/year."}
      - key: name
        type: text
        required: true
        max_length: 10
        label: {vi: "Tên", en: "Name"}
        help: {vi: "Tên.", en: "Name."}
      - key: notes
        type: longtext
        max_length: 40
        label: {vi: "Ghi chú", en: "Notes"}
        help: {vi: "Ghi chú.", en: "Notes."}
      - key: doc
        type: file
        required: true
        accept: [pdf, word]
        max_size_mb: 5
        max_files: 2
        label: {vi: "Văn bản", en: "Document"}
        help: {vi: "Gửi tệp.", en: "Send a file."}
`

func testField(t testing.TB, key string) *config.Field {
	t.Helper()
	f, err := config.ParseForm(config.File{Name: "test form", Data: []byte(testForm)})
	if err != nil {
		t.Fatal(err)
	}
	fl, ok := f.Field(key)
	if !ok {
		t.Fatalf("no field %s", key)
	}
	return fl
}

// inputErr asserts err is an *InputError with id and, for each given
// parameter, that value.
func inputErr(t *testing.T, err error, id string, params map[string]any) {
	t.Helper()
	var ie *config.InputError
	if !errors.As(err, &ie) {
		t.Errorf("error = %v; want an *InputError %s", err, id)
		return
	}
	if ie.ID != id {
		t.Errorf("error id = %s (%v); want %s", ie.ID, ie.Params, id)
	}
	for k, v := range params {
		if ie.Params[k] != v {
			t.Errorf("%s: param %s = %v; want %v", ie.ID, k, ie.Params[k], v)
		}
	}
}

type ok struct {
	in, lang string
	want     string
}

type bad struct {
	in, lang string
	id       string
	params   map[string]any
}

func checkParse(t *testing.T, fl *config.Field, oks []ok, bads []bad, got func(config.Value) string) {
	t.Helper()
	for _, c := range oks {
		lang := c.lang
		if lang == "" {
			lang = "vi"
		}
		v, err := fl.Parse(c.in, lang)
		if err != nil {
			t.Errorf("%s: Parse(%q, %s) = %v; want %s", fl.Key, c.in, lang, err, c.want)
			continue
		}
		if v.Type != fl.Type || got(v) != c.want {
			t.Errorf("%s: Parse(%q, %s) = %+v; want %s", fl.Key, c.in, lang, v, c.want)
		}
		if err := fl.Check(v); err != nil {
			t.Errorf("%s: Check(Parse(%q)) = %v", fl.Key, c.in, err)
		}
	}
	for _, c := range bads {
		lang := c.lang
		if lang == "" {
			lang = "vi"
		}
		v, err := fl.Parse(c.in, lang)
		if err == nil {
			t.Errorf("%s: Parse(%q, %s) = %+v; want %s", fl.Key, c.in, lang, v, c.id)
			continue
		}
		inputErr(t, err, c.id, c.params)
	}
}

func TestParse_Number(t *testing.T) {
	count := testField(t, "count")
	checkParse(t, count, []ok{
		{"120", "", "120"},
		{" 120 ", "", "120"},
		{"0", "", "0"},
		{"007", "", "7"},
		{"1.234", "vi", "1234"},
		{"1.234", "en", "1234"}, // a whole-number field: "." can only group thousands
		{"1,234", "vi", "1234"},
		{"1,234", "en", "1234"},
		{"1 234", "", "1234"},
		{"1\u00a0234\u00a0567", "", "1234567"},
		{"1.234.567", "", "1234567"},
		{"1,234,567", "", "1234567"},
		{"120 lớp", "", "120"},
		{"120 LOP", "", "120"},
		{"120 classes", "en", "120"},
		{"120.", "", "120"},            // end of a sentence
		{"10.000.000", "", "10000000"}, // the max
		{"12,0", "", "12"},             // a zero fraction is no fraction
	}, []bad{
		{"", "", config.MsgRequired, nil},
		{"   ", "", config.MsgRequired, nil},
		{"abc", "", config.MsgNumber, nil},
		{"mười hai", "", config.MsgNumber, nil},
		{"12a", "", config.MsgNumberOnly, nil},
		{"1e5", "", config.MsgNumberOnly, nil},
		{"1..2", "", config.MsgNumber, nil},
		{"1.23.4", "", config.MsgNumber, nil},
		{"12,5", "", config.MsgNumberInteger, nil},
		{"1.5", "en", config.MsgNumberInteger, nil},
		{"-3", "", config.MsgNumberRange, map[string]any{"Min": "0", "Max": "10.000.000"}},
		{"-3", "en", config.MsgNumberRange, map[string]any{"Min": "0", "Max": "10,000,000"}},
		{"10.000.001", "", config.MsgNumberRange, nil},
		// Words that are not the field's unit: say the number alone is wanted.
		{"120 người", "", config.MsgNumberOnly, nil},
		{"1.500 người", "", config.MsgNumberOnly, nil},
		{"khoảng 30", "", config.MsgNumberOnly, nil},
		{"2 triệu", "", config.MsgNumberOnly, nil},
		{"120 lớp học", "", config.MsgNumberOnly, nil},
		{"85%", "", config.MsgNumber, nil},
		{"99999999999999999999", "", config.MsgNumberRange, nil},
		{strings.Repeat("1", 60), "", config.MsgNumber, nil},
	}, func(v config.Value) string { return v.Number })

	score := testField(t, "score")
	checkParse(t, score, []ok{
		{"12,5", "vi", "12.5"},
		{"12.5", "vi", "12.5"},
		{"12.5", "en", "12.5"},
		{"74,80", "", "74.8"},
		{"-2,25", "", "-2.25"},
		{"−2", "", "-2"}, // the minus sign
		{",5", "", "0.5"},
	}, []bad{
		{"0,125", "vi", config.MsgNumberDecimals, map[string]any{"Decimals": 2}},
		{"100,01", "", config.MsgNumberRange, map[string]any{"Min": "-10", "Max": "100"}},
		{"-10,5", "en", config.MsgNumberRange, map[string]any{"Min": "-10", "Max": "100"}},
	}, func(v config.Value) string { return v.Number })

	// "Không" is not read as 0: the refusal says to type 0, or (when the
	// question is optional) to skip it; where 0 is out of range, neither.
	counted := *testField(t, "open")
	counted.Min = "1"
	for _, c := range []struct {
		f        *config.Field
		in, lang string
		id       string
	}{
		{testField(t, "count"), "không", "vi", config.MsgNumberNone},
		{testField(t, "count"), "Không có.", "vi", config.MsgNumberNone},
		{testField(t, "count"), "none", "en", config.MsgNumberNone},
		{score, "không", "vi", config.MsgNumberNoneSkip},
		{score, "ko co", "vi", config.MsgNumberNoneSkip},
		{score, "Nothing", "en", config.MsgNumberNoneSkip},
		{&counted, "không", "vi", config.MsgNumber},
		{score, "không biết", "vi", config.MsgNumber},
	} {
		v, err := c.f.Parse(c.in, c.lang)
		if err == nil {
			t.Errorf("%q at %s: taken as %+v", c.in, c.f.Key, v)
			continue
		}
		inputErr(t, err, c.id, nil)
	}

	// The example a refusal gives lies within the field's range: 120 (12,5
	// with a fraction) where it fits, else from the middle of the range.
	dti := *score
	dti.Min, dti.Max = "", "100"
	narrow := *score
	narrow.Max = "10"
	high := *testField(t, "open")
	high.Min = "1000"
	for _, c := range []struct {
		f        *config.Field
		in, lang string
		id       string
		example  string
	}{
		{testField(t, "count"), "abc", "vi", config.MsgNumber, "120"},
		{testField(t, "count"), "1,5", "vi", config.MsgNumberInteger, "120"},
		{score, "0,125", "vi", config.MsgNumberDecimals, "12,5"},
		{score, "abc", "vi", config.MsgNumber, "45"},
		{&dti, "abc", "vi", config.MsgNumber, "50"},
		{&dti, "khoảng 90", "vi", config.MsgNumberOnly, "50"},
		{&narrow, "0,125", "vi", config.MsgNumberDecimals, "0,5"},
		{&narrow, "0.125", "en", config.MsgNumberDecimals, "0.5"},
		{&high, "abc", "vi", config.MsgNumber, "1.000"},
		{&high, "abc", "en", config.MsgNumber, "1,000"},
	} {
		_, err := c.f.Parse(c.in, c.lang)
		inputErr(t, err, c.id, map[string]any{"Example": c.example})
	}

	// A field that takes decimals: a lone "." or "," before three digits
	// reads as the language writes it.
	big := testField(t, "open")
	checkParse(t, big, []ok{{"1.234", "vi", "1234"}}, []bad{{"-1", "", config.MsgNumberMin, map[string]any{"Min": "0"}}}, func(v config.Value) string { return v.Number })
	dec := *score
	dec.Decimals, dec.Max = 3, "100000"
	checkParse(t, &dec, []ok{
		{"1.234", "vi", "1234"},
		{"1,234", "vi", "1.234"},
		{"1.234", "en", "1.234"},
		{"1,234", "en", "1234"},
		{"1.234,5", "en", "1234.5"}, // both separators: the last one is the decimal one
		{"1,234.5", "vi", "1234.5"},
		{"12.345,678", "", "12345.678"},
	}, []bad{
		{"1.234.5", "", config.MsgNumber, nil},
		{"1,23.4", "", config.MsgNumber, nil},
		{"1.2,3.4", "", config.MsgNumber, nil},
	}, func(v config.Value) string { return v.Number })
}

func TestParse_Percent(t *testing.T) {
	pct := testField(t, "pct")
	rangeVI := map[string]any{"Min": "0", "Max": "100"}
	checkParse(t, pct, []ok{
		{"85", "", "85"},
		{"85%", "", "85"},
		{"85 %", "", "85"},
		{"85,5%", "vi", "85.5"},
		{"85%.", "vi", "85"},
		{"85.5", "vi", "85.5"},
		{"85,5", "en", "85.5"},
		{"85.25", "", "85.25"},
		{"100", "", "100"},
		{"0", "", "0"},
		{"0%", "", "0"},
		{"85 phần trăm", "", "85"},
		{"85 phan tram", "", "85"},
		{"85 percent", "en", "85"},
		{"1.000", "vi", "1"}, // a percentage never groups thousands
		{"100,00", "", "100"},
	}, []bad{
		{"", "", config.MsgRequired, nil},
		{"101", "", config.MsgPercent, rangeVI},
		{"100,5", "", config.MsgPercent, rangeVI},
		{"-1", "", config.MsgPercent, rangeVI},
		{"-1", "en", config.MsgPercent, map[string]any{"Min": "0", "Max": "100"}},
		{"tám lăm", "", config.MsgPercent, rangeVI},
		{"85%%", "", config.MsgPercent, rangeVI},
		{"%85", "", config.MsgPercent, rangeVI},
		{"85 lớp", "", config.MsgPercent, rangeVI},
		{"1.234,5", "", config.MsgPercent, rangeVI},
		{"85,125", "", config.MsgNumberDecimals, map[string]any{"Decimals": 2}},
	}, func(v config.Value) string { return v.Number })

	narrow := testField(t, "pct_narrow")
	checkParse(t, narrow, []ok{{"50", "", "50"}, {"89,9%", "", "89.9"}, {"90", "", "90"}},
		[]bad{
			{"49,9", "vi", config.MsgPercent, map[string]any{"Min": "50", "Max": "90"}},
			{"90.1", "en", config.MsgPercent, map[string]any{"Min": "50", "Max": "90"}},
			{"", "", config.MsgEmpty, nil}, // optional
		}, func(v config.Value) string { return v.Number })
}

// A percentage refused gives examples the field takes: within its range,
// and one with decimals only where it takes decimals.
func TestParse_PercentExamplesFitTheField(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	low := *testField(t, "pct")
	low.Max, low.Decimals = "10", 0
	whole := *testField(t, "pct")
	whole.Decimals = 0
	for _, c := range []struct {
		f        *config.Field
		in, lang string
		id       string
		params   map[string]any
		text     string // what the refusal says, in full
	}{
		{testField(t, "pct"), "tám lăm", "vi", config.MsgPercent, map[string]any{"Example": "85", "Fraction": "85,5"},
			"Vui lòng nhập một tỉ lệ phần trăm từ 0 đến 100, ví dụ: 85 hoặc 85,5."},
		{testField(t, "pct"), "eighty", "en", config.MsgPercent, map[string]any{"Example": "85", "Fraction": "85.5"},
			"Please type a percentage from 0 to 100, for example: 85 or 85.5."},
		{&low, "50", "vi", config.MsgPercent, map[string]any{"Example": "5", "Fraction": nil},
			"Vui lòng nhập một tỉ lệ phần trăm từ 0 đến 10, ví dụ: 5."},
		{&low, "abc", "en", config.MsgPercent, map[string]any{"Example": "5", "Fraction": nil},
			"Please type a percentage from 0 to 10, for example: 5."},
		{&low, "2,5", "vi", config.MsgNumberInteger, map[string]any{"Example": "5"}, ""},
		{&whole, "101", "vi", config.MsgPercent, map[string]any{"Example": "85", "Fraction": nil},
			"Vui lòng nhập một tỉ lệ phần trăm từ 0 đến 100, ví dụ: 85."},
		{&whole, "85,5", "vi", config.MsgNumberInteger, map[string]any{"Example": "85"}, ""},
		{testField(t, "pct"), "85,125", "vi", config.MsgNumberDecimals, map[string]any{"Example": "85,5"}, ""},
	} {
		_, err := c.f.Parse(c.in, c.lang)
		inputErr(t, err, c.id, c.params)
		var ie *config.InputError
		if c.text != "" && errors.As(err, &ie) {
			if got := cat.Text(c.lang, ie.ID, ie.Params); got != c.text {
				t.Errorf("%q (%s): %q; want %q", c.in, c.lang, got, c.text)
			}
		}
	}
}

func TestParse_YesNo(t *testing.T) {
	yn := testField(t, "yn")
	show := func(v config.Value) string {
		if v.Yes == nil {
			return "nil"
		}
		if *v.Yes {
			return "yes"
		}
		return "no"
	}
	var oks []ok
	for _, s := range []string{"có", "Có", "CÓ", "co", "c", "C", "yes", "Yes", "y", "đúng", "ừ", "vâng", "dạ", "rồi", "Có.", "có!", "co\u0301", "đã có", "ok", "có ạ", "dạ có", "Dạ vâng ạ", "vâng ạ"} {
		oks = append(oks, ok{s, "", "yes"})
	}
	for _, s := range []string{"không", "Không", "khong", "KHONG", "k", "ko", "kg", "no", "No", "n", "chưa", "chua", "chưa có", "không có", "Không.", "không ạ", "dạ không", "Dạ chưa ạ"} {
		oks = append(oks, ok{s, "", "no"})
	}
	checkParse(t, yn, oks, []bad{
		{"có lẽ", "", config.MsgYesNo, nil},
		{"maybe", "en", config.MsgYesNo, nil},
		{"1", "", config.MsgYesNo, nil},
		{"", "", config.MsgEmpty, nil},
	}, show)
}

// The answer to "đã … chưa?" that repeats the question's own words, as
// people answer in Vietnamese: "đã ban hành", "ban hành rồi" are yes,
// "chưa ban hành", "không ban hành" are no. Words the question does not
// have are no answer ("chưa biết", "đã gửi"), nor are its words alone or
// "chưa … rồi".
func TestParse_YesNoInTheQuestionsWords(t *testing.T) {
	issued := testField(t, "issued")
	show := func(v config.Value) string {
		if v.Yes == nil {
			return "nil"
		}
		if *v.Yes {
			return "yes"
		}
		return "no"
	}
	var oks []ok
	for _, s := range []string{"đã ban hành", "Đã ban hành.", "ban hành rồi", "đã ban hành rồi ạ", "Dạ, đã ban hành rồi", "da ban hanh", "có ban hành", "đã triển khai"} {
		oks = append(oks, ok{s, "", "yes"})
	}
	for _, s := range []string{"chưa ban hành", "Chưa ban hành ạ", "dạ chưa ban hành", "không ban hành", "đã không ban hành", "chưa triển khai văn bản"} {
		oks = append(oks, ok{s, "", "no"})
	}
	var bads []bad
	for _, s := range []string{"chưa biết", "đã gửi", "ban hành", "chưa ban hành rồi", "không biết đã ban hành chưa"} {
		bads = append(bads, bad{s, "", config.MsgYesNo, nil})
	}
	checkParse(t, issued, oks, bads, show)
	// Elsewhere the words of another question are no answer.
	if _, err := testField(t, "yn").Parse("đã ban hành", "vi"); err == nil {
		t.Errorf(`"đã ban hành" answered a question without those words`)
	}
}

func TestParse_Choice(t *testing.T) {
	level := testField(t, "level")
	n4 := map[string]any{"N": 4}
	checkParse(t, level, []ok{
		{"1", "", "excellent"},
		{"4", "", "not_done"},
		{"2.", "", "good"},
		{"số 3", "", "done"},
		{"Hoàn thành", "", "done"}, // exact beats the options it starts
		{"hoan thanh", "", "done"},
		{"HOÀN THÀNH TỐT", "", "good"},
		{"hoàn thành xuất sắc", "", "excellent"},
		{"hoan thanh xuat", "", "excellent"}, // the start of one label only
		{"chưa", "", "not_done"},
		{"Excellent", "en", "excellent"},
		{"completed", "en", "done"},
		{"not completed", "", "not_done"},
		{"not_done", "", "not_done"},
		{"not done", "", "not_done"},
	}, []bad{
		{"0", "", config.MsgChoice, n4},
		{"5", "", config.MsgChoice, n4},
		{"hoa", "", config.MsgChoice, n4}, // starts three labels
		{"xuất sắc", "", config.MsgChoice, n4},
		{"ho", "", config.MsgChoice, n4},        // too short to be a start
		{"", "", config.MsgRequiredChoice, nil}, // chosen, not typed
		{"!!!", "", config.MsgChoice, n4},
	}, func(v config.Value) string { return v.Choice })
}

func TestParse_Date(t *testing.T) {
	day := testField(t, "day")
	checkParse(t, day, []ok{
		{"30/6/2025", "", "2025-06-30"},
		{"30/06/2025", "", "2025-06-30"},
		{"30-06-2025", "", "2025-06-30"},
		{"30.6.2025", "", "2025-06-30"},
		{"30 / 6 / 2025", "", "2025-06-30"},
		{"30/6/25", "", "2025-06-30"},
		{"2025-06-30", "", "2025-06-30"},
		{"2025/6/30", "", "2025-06-30"},
		{"ngày 30 tháng 6 năm 2025", "", "2025-06-30"},
		{"Ngày 30 tháng 06 năm 2025.", "", "2025-06-30"},
		{"ngay 1 thang 1 nam 2026", "", "2026-01-01"},
		{"29/2/2028", "", "2028-02-29"},
		{"1/1/1990", "", "1990-01-01"},
	}, []bad{
		{"31/2/2025", "", config.MsgDateUnreal, nil},
		{"29/2/2025", "", config.MsgDateUnreal, nil},
		{"30/13/2025", "", config.MsgDateUnreal, nil},
		{"0/6/2025", "", config.MsgDateUnreal, nil},
		{"30/6", "", config.MsgDate, nil},
		{"tháng 6", "", config.MsgDate, nil},
		{"June 30, 2025", "en", config.MsgDate, nil},
		{"30/6/1800", "", config.MsgDate, nil},
		{"30/6/20255", "", config.MsgDate, nil},
		{"hôm qua", "", config.MsgDate, nil},
	}, func(v config.Value) string { return v.Date })

	in2025 := testField(t, "day_2025")
	checkParse(t, in2025, []ok{{"1/1/2025", "", "2025-01-01"}, {"31/12/2025", "", "2025-12-31"}}, []bad{
		{"31/12/2024", "", config.MsgDateRange, map[string]any{"Min": "01/01/2025", "Max": "31/12/2025"}},
		{"1/1/2026", "en", config.MsgDateRange, map[string]any{"Min": "01/01/2025", "Max": "31/12/2025"}},
	}, func(v config.Value) string { return v.Date })
	onlyMin := *in2025
	onlyMin.MaxDate = ""
	checkParse(t, &onlyMin, nil, []bad{{"31/12/2024", "", config.MsgDateMin, map[string]any{"Min": "01/01/2025"}}}, nil)
	onlyMax := *in2025
	onlyMax.MinDate = ""
	checkParse(t, &onlyMax, nil, []bad{{"1/1/2026", "", config.MsgDateMax, map[string]any{"Max": "31/12/2025"}}}, nil)
}

func TestParse_Text(t *testing.T) {
	name := testField(t, "name")
	checkParse(t, name, []ok{
		{"Lò Văn A", "", "Lò Văn A"},
		{"  Lò   Văn\nA  ", "", "Lò Văn A"}, // one line
		{"Lo\u0300 Văn", "", "Lò Văn"},      // NFC
		{"0123456789", "", "0123456789"},    // exactly the max
		{"a\u200bb", "", "ab"},              // invisible characters dropped
	}, []bad{
		{"", "", config.MsgRequired, nil},
		{" \n\t ", "", config.MsgRequired, nil},
		{"01234567890", "", config.MsgTextTooLong, map[string]any{"Length": "11", "Max": "10"}},
		{"\u200b", "", config.MsgRequired, nil},
		// Typed to get past a required question: no letter, no digit.
		{".", "", config.MsgTextNoWords, nil},
		{" - ", "", config.MsgTextNoWords, nil},
		{"📄", "", config.MsgTextNoWords, nil},
		{"😀 👍", "", config.MsgTextNoWords, nil},
		{"...", "", config.MsgTextNoWords, nil},
	}, func(v config.Value) string { return v.Text })

	notes := testField(t, "notes")
	checkParse(t, notes, []ok{
		{"Dòng một\nDòng hai", "", "Dòng một\nDòng hai"},
		{"Dòng một  \r\n\n\n\n\nDòng hai\n", "", "Dòng một\n\nDòng hai"},
		{"Cột\tmột", "", "Cột một"},
	}, []bad{
		{strings.Repeat("ă", 41), "", config.MsgTextTooLong, map[string]any{"Length": "41", "Max": "40"}},
		{"", "", config.MsgEmpty, nil},
		{"-\n.", "", config.MsgTextNoWords, nil},
	}, func(v config.Value) string { return v.Text })
	checkParse(t, notes, []ok{{"📢 2 lần/tuần", "", "📢 2 lần/tuần"}, {"Số 5", "", "Số 5"}}, nil, func(v config.Value) string { return v.Text })
}

func TestParse_FileFieldAsksForAFile(t *testing.T) {
	doc := testField(t, "doc")
	_, err := doc.Parse("đây là văn bản", "vi")
	inputErr(t, err, config.MsgFileExpected, map[string]any{"Kinds": "PDF, Word"})
	_, err = doc.Parse("", "vi")
	inputErr(t, err, config.MsgRequiredFile, nil)
}

func TestCheckFile(t *testing.T) {
	doc := testField(t, "doc")
	const mb = 1 << 20
	for _, c := range []struct {
		name, mime string
		kind       config.FileKind
	}{
		{"ke-hoach.pdf", "application/pdf", config.FilePDF},
		{"KE HOACH.PDF", "", config.FilePDF},
		{"kế hoạch.docx", "application/octet-stream", config.FileWord},
		{"ke-hoach.doc", "", config.FileWord},
		{"", "application/pdf", config.FilePDF}, // no name: the MIME type says
		{"Báo cáo 30.6.2025", "application/pdf", config.FilePDF},
	} {
		k, err := doc.CheckFile(c.name, c.mime, 3*mb, "vi")
		if err != nil || k != c.kind {
			t.Errorf("CheckFile(%q, %q) = %s, %v; want %s", c.name, c.mime, k, err, c.kind)
		}
	}
	for _, c := range []struct {
		name, mime string
		size       int64
		id         string
		params     map[string]any
	}{
		{"anh.jpg", "image/jpeg", mb, config.MsgFileType, map[string]any{"Kinds": "PDF, Word"}},
		{"bang.xlsx", "", mb, config.MsgFileType, nil},
		{"virus.exe", "application/pdf", mb, config.MsgFileType, nil}, // the name says otherwise
		{"", "", mb, config.MsgFileType, nil},
		{"ke-hoach.pdf", "application/pdf", 5*mb + 1, config.MsgFileTooLarge, map[string]any{"Size": "5", "Max": 5}},
		{"ke-hoach.pdf", "application/pdf", 12*mb + mb/2, config.MsgFileTooLarge, map[string]any{"Size": "12,5", "Max": 5}},
		{"ke-hoach.pdf", "application/pdf", 0, config.MsgFileEmpty, nil},
	} {
		_, err := doc.CheckFile(c.name, c.mime, c.size, "vi")
		inputErr(t, err, c.id, c.params)
	}
	if _, err := doc.CheckFile("a.pdf", "", 5*mb, "vi"); err != nil {
		t.Errorf("exactly the max: %v", err)
	}

	if err := doc.CheckContent(config.FilePDF, []byte("%PDF-1.7\n...")); err != nil {
		t.Errorf("a PDF: %v", err)
	}
	if err := doc.CheckContent(config.FileWord, []byte("PK\x03\x04rest")); err != nil {
		t.Errorf("a docx: %v", err)
	}
	if err := doc.CheckContent(config.FileWord, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest")); err != nil {
		t.Errorf("a doc: %v", err)
	}
	inputErr(t, doc.CheckContent(config.FilePDF, []byte("MZ\x90\x00")), config.MsgFileType, nil)
	inputErr(t, doc.CheckContent(config.FileImage, []byte("\xFF\xD8\xFF\xE0")), config.MsgFileType, nil) // not accepted here
	for _, head := range []string{"\xFF\xD8\xFF\xE0", "\x89PNG\r\n\x1a\nxxxx", "RIFF\x00\x00\x00\x00WEBPVP8 ", "\x00\x00\x00\x18ftypheic"} {
		if !config.ContentMatches(config.FileImage, []byte(head)) {
			t.Errorf("image %q not recognised", head)
		}
	}
	if config.ContentMatches(config.FileImage, []byte("%PDF-")) || config.ContentMatches(config.FilePDF, nil) {
		t.Error("a mismatch recognised")
	}
}

func TestAddFile(t *testing.T) {
	doc := testField(t, "doc")
	a := config.FileRef{SHA256: "aa", Name: "a.pdf", Size: 10, Kind: config.FilePDF}
	b := config.FileRef{SHA256: "bb", Name: "b.docx", Size: 10, Kind: config.FileWord}
	c := config.FileRef{SHA256: "cc", Name: "c.pdf", Size: 10, Kind: config.FilePDF}
	v, err := doc.AddFile(config.Value{}, a)
	if err != nil || len(v.Files) != 1 {
		t.Fatalf("first file: %+v %v", v, err)
	}
	v, err = doc.AddFile(v, a) // sent twice
	if err != nil || len(v.Files) != 1 {
		t.Fatalf("the same file again: %+v %v", v, err)
	}
	v2, err := doc.AddFile(v, b)
	if err != nil || len(v2.Files) != 2 || len(v.Files) != 1 {
		t.Fatalf("second file: %+v %v (the first value must not change: %+v)", v2, err, v)
	}
	_, err = doc.AddFile(v2, c)
	inputErr(t, err, config.MsgFileTooMany, map[string]any{"Max": 2})
	_, err = doc.AddFile(config.Value{}, config.FileRef{SHA256: "dd", Kind: config.FileImage})
	inputErr(t, err, config.MsgFileType, nil)
	if err := doc.Check(v2); err != nil {
		t.Errorf("Check(two files) = %v", err)
	}
	if got := doc.Format(v2, "vi"); got != "a.pdf, b.docx" {
		t.Errorf("Format = %q", got)
	}
}

func TestSkip_RequiredVersusOptional(t *testing.T) {
	for key, required := range map[string]bool{"count": true, "score": false, "pct": true, "yn": false, "level": true, "day": false, "name": true, "notes": false, "doc": true} {
		fl := testField(t, key)
		v, err := fl.Skip()
		if required {
			// Said in the terms of how the field is answered.
			want := map[config.Type]string{config.TypeChoice: config.MsgRequiredChoice, config.TypeFile: config.MsgRequiredFile}[fl.Type]
			if want == "" {
				want = config.MsgRequired
			}
			inputErr(t, err, want, nil)
			continue
		}
		if err != nil || !v.Skipped || v.Type != fl.Type {
			t.Errorf("%s: Skip() = %+v, %v", key, v, err)
		}
		if err := fl.Check(v); err != nil {
			t.Errorf("%s: Check(skipped) = %v", key, err)
		}
	}
}

// Format writes a value so that Parse reads it back, in both languages.
func TestFormat_ReadsBack(t *testing.T) {
	for _, c := range []struct{ key, in, vi, en string }{
		{"count", "1234567", "1.234.567 lớp", "1,234,567 classes"},
		{"score", "-2,5", "-2,5", "-2.5"},
		{"pct", "85,5", "85,5%", "85.5%"},
		{"level", "2", "Hoàn thành tốt", "Good"},
		{"day", "2025-06-30", "30/06/2025", "30/06/2025"}, // dd/mm/yyyy, as every date the bot writes
		{"day", "5/3/2025", "05/03/2025", "05/03/2025"},   // typed without the zeros
		{"name", "Lò Văn A", "Lò Văn A", "Lò Văn A"},
	} {
		fl := testField(t, c.key)
		v, err := fl.Parse(c.in, "vi")
		if err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		for lang, want := range map[string]string{"vi": c.vi, "en": c.en} {
			got := fl.Format(v, lang)
			if got != want {
				t.Errorf("%s: Format(%s) = %q; want %q", c.key, lang, got, want)
			}
			back, err := fl.Parse(got, lang)
			if err != nil || !back.Equal(v) {
				t.Errorf("%s: Parse(Format(%s)) = %+v, %v; want %+v", c.key, lang, back, err, v)
			}
		}
	}
}

func TestInputErrorIsNotUserText(t *testing.T) {
	_, err := testField(t, "pct").Parse("200", "vi")
	if got := err.Error(); got != "report input: report.input.percent Example=85 Fraction=85,5 Max=100 Min=0" {
		t.Errorf("Error() = %q", got)
	}
}
