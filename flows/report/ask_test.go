package report_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/flowtest"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// A form with a field of every type, and each variant of its hint: help
// texts say what to count or give, never how to answer the type nor that
// the field is optional (the flow says both itself).
const askForm = `id: h
version: 1
title: {vi: "Biểu mẫu hỏi", en: "Question form"}
sections:
  - key: s
    title: {vi: "Phần một", en: "Part one"}
    fields:
      - key: pick
        type: choice
        required: true
        label: {vi: "Loại văn bản", en: "Kind of document"}
        help: {vi: "Văn bản ban hành gần nhất.", en: "The latest document issued."}
        options:
          - key: plan
            label: {vi: "Kế hoạch", en: "Plan"}
          - key: letter
            label: {vi: "Công văn", en: "Letter"}
      - key: count
        type: number
        label: {vi: "Số cuộc họp", en: "Meetings"}
        help: {vi: "Tính cả họp trực tuyến.", en: "Online meetings too."}
      - key: count_unit
        type: number
        required: true
        unit: {vi: "lớp", en: "classes"}
        label: {vi: "Số lớp đã mở", en: "Classes held"}
        help: {vi: "Nhập 0 nếu chưa mở.", en: "Type 0 if none."}
      - key: count_range
        type: number
        max: 100
        decimals: 2
        label: {vi: "Điểm DTI", en: "DTI score"}
        help: {vi: "Thang điểm 100, ví dụ: 74,8.", en: "Out of 100, for example: 74.8."}
      - key: count_range_unit
        type: number
        required: true
        max: 5000
        unit: {vi: "người", en: "people"}
        label: {vi: "Số người đã học", en: "People trained"}
        help: {vi: "Một người học hai lớp tính một lần.", en: "Count each person once."}
      - key: share
        type: percent
        label: {vi: "Tỉ lệ văn bản ký số", en: "Share of documents signed"}
        help: {vi: "Trừ văn bản mật.", en: "Classified documents aside."}
      - key: launched
        type: yesno
        label: {vi: "Đã phát động chưa?", en: "Launched?"}
        help: {vi: "Theo Kế hoạch của tỉnh.", en: "Under the province's plan."}
      - key: held_on
        type: date
        required: true
        min: 2025-01-01
        max: 2030-12-31
        label: {vi: "Ngày phát động", en: "Launch date"}
        help: {vi: "Ngày ký văn bản phát động.", en: "The day the launch document was signed."}
      - key: doc_number
        type: text
        label: {vi: "Số văn bản", en: "Document number"}
        help: {vi: "Ví dụ: 25/KH-UBND.", en: "For example: 25/KH-UBND."}
      - key: summary
        type: longtext
        required: true
        label: {vi: "Kết quả nổi bật", en: "Main results"}
        help: {vi: "Mỗi kết quả một dòng.", en: "One result per line."}
      - key: signed
        type: file
        required: true
        accept: [pdf, image]
        max_files: 1
        label: {vi: "Văn bản đã ký", en: "The signed document"}
        help: {vi: "Ảnh chụp từng trang cũng được.", en: "A photo of each page will do."}
      - key: photos
        type: file
        accept: [image]
        max_files: 3
        label: {vi: "Ảnh hoạt động", en: "Photos of activities"}
        help: {vi: "Ảnh rõ mặt người tham gia.", en: "Photos showing the participants."}
`

// said lists, for each type and language, the groups of words in which the
// flow says how to answer: lower case, as typed in the catalogue. Each group
// shows once in a question; a help text saying the same again ("Trả lời Có
// hoặc Không.", "Nhập một số từ 0 đến 100, ví dụ: 80.") makes it twice.
var said = map[string]map[config.Type][][]string{
	"vi": {
		config.TypeNumber:   {{"một số"}},
		config.TypePercent:  {{"phần trăm", "một số"}, {"ví dụ"}},
		config.TypeYesNo:    {{"có hoặc không"}},
		config.TypeChoice:   {{"chọn"}},
		config.TypeDate:     {{"ngày/tháng/năm"}, {"ví dụ"}},
		config.TypeText:     {{"ký tự"}},
		config.TypeLongText: {{"ký tự"}},
		config.TypeFile:     {{"gửi"}},
	},
	"en": {
		config.TypeNumber:   {{"a number"}},
		config.TypePercent:  {{"percentage", "a number"}, {"for example"}},
		config.TypeYesNo:    {{"yes or no"}},
		config.TypeChoice:   {{"choice", "choose"}},
		config.TypeDate:     {{"day/month/year"}, {"for example"}},
		config.TypeText:     {{"characters"}},
		config.TypeLongText: {{"characters"}},
		config.TypeFile:     {{"send"}},
	},
}

// optional is how the flow says a field is optional, once, on the label's
// line (the Skip button aside).
var optional = map[string]string{"vi": "không bắt buộc", "en": "optional"}

// Each question says once how to answer its type, with its bounds, size or
// number of files once; and once that it is optional, or not at all when it
// is required: in Vietnamese and in English. A help text repeating the
// flow's instruction (or a hint saying a thing twice) fails here.
func TestAsk_EachQuestionSaysHowToAnswerAndOptionalOnce(t *testing.T) {
	cfg := testConfig(t, config.File{Name: "forms/h.v1.yaml", Data: []byte(askForm)})
	form, _ := cfg.Form("h", 1)
	types := map[config.Type]bool{}
	for _, fl := range form.Fields() {
		types[fl.Type] = true
	}
	for _, typ := range config.Types {
		if !types[typ] || len(said["vi"][typ]) == 0 || len(said["en"][typ]) == 0 {
			t.Fatalf("%s: the form needs a field of the type, and said the words of its hint", typ)
		}
	}
	asked := askEvery(t, cfg, form)
	for _, lang := range []string{"vi", "en"} {
		for _, fl := range form.Fields() {
			q, ok := asked[lang][fl.Key]
			if !ok {
				t.Errorf("%s: %s was never asked", lang, fl.Key)
				continue
			}
			for _, problem := range repeats(fl, lang, q) {
				t.Errorf("%s, %s (%s): %s\n%s", lang, fl.Key, fl.Type, problem, q)
			}
		}
	}
}

// sayTwiceBefore are the form versions shipped before this check: their
// help texts repeat the flow's hints (214 times: "Trả lời Có hoặc Không.",
// "Không bắt buộc."…), and they never change, since drafts and reports were
// made with them (TestEmbedded_ShippedFormsNeverChange). Their next versions
// say each thing once; plan-2025 is closed and has none.
var sayTwiceBefore = map[string]bool{"annual v1": true, "plan-2025 v1": true, "review v1": true}

// The built-in forms' help texts do not repeat the flow's hints either:
// every version after sayTwiceBefore is walked, in both languages, as every
// kind of unit it asks.
func TestAsk_EmbeddedFormsSayHowToAnswerAndOptionalOnce(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	walked := 0
	for _, form := range cfg.Forms {
		if sayTwiceBefore[form.ID+" v"+strconv.Itoa(form.Version)] {
			continue
		}
		walked++
		asked := askEvery(t, cfg, form)
		for _, lang := range []string{"vi", "en"} {
			for _, fl := range form.Fields() {
				q, ok := asked[lang][fl.Key]
				if !ok {
					t.Errorf("%s v%d, %s: %s was never asked", form.ID, form.Version, lang, fl.Key)
					continue
				}
				for _, problem := range repeats(fl, lang, q) {
					t.Errorf("%s v%d, %s, %s (%s): %s\n%s", form.ID, form.Version, lang, fl.Key, fl.Type, problem, q)
				}
			}
		}
	}
	if walked == 0 {
		t.Error("no built-in form was walked: every version is exempt")
	}
}

// repeats lists what the question of fl, as asked in lang, does not say
// exactly once. The first line (section and position) and the label are
// left out: they say where and what is asked, not how to answer.
func repeats(fl *config.Field, lang, question string) []string {
	_, q, _ := strings.Cut(question, "\n")
	q = strings.ToLower(strings.Replace(q, fl.Label.In(lang), "", 1))
	groups := slices.Clone(said[lang][fl.Type])
	switch fl.Type {
	case config.TypeNumber, config.TypePercent:
		if lo, hi := fl.Bounds(lang); hi != "" {
			to := map[string]string{"vi": "%s đến %s", "en": "%s to %s"}[lang]
			groups = append(groups, []string{fmt.Sprintf(to, lo, hi)})
		}
	case config.TypeFile:
		groups = append(groups, []string{fmt.Sprintf("%d mb", fl.SizeLimitMB())})
		if n := fl.FileLimit(); n > 1 {
			things := map[string]string{"vi": "%d tệp|%d ảnh", "en": "%d files|%d photos"}[lang]
			groups = append(groups, strings.Split(fmt.Sprintf(things, n, n), "|"))
		}
	}
	var out []string
	for _, g := range groups {
		n := 0
		for _, w := range g {
			n += strings.Count(q, w)
		}
		if n != 1 {
			quoted := make([]string, len(g))
			for i, w := range g {
				quoted[i] = strconv.Quote(w)
			}
			out = append(out, fmt.Sprintf("%s said %d times; want once", strings.Join(quoted, " or "), n))
		}
	}
	want := 0
	if !fl.Required {
		want = 1
	}
	if n := strings.Count(q, optional[lang]); n != want {
		out = append(out, fmt.Sprintf("%q said %d times; want %d", optional[lang], n, want))
	}
	return out
}

// positionRE reads "N/Total" at the end of a question's first line.
var positionRE = regexp.MustCompile(`(\d+)/(\d+)$`)

// askEvery fills in form as focal points of units of every kind its fields
// are asked of, in each language, and returns every question as first
// asked, by language and field: optional fields skipped, the others given a
// valid answer.
func askEvery(t *testing.T, cfg *config.Config, form *config.Form) map[string]map[string]string {
	t.Helper()
	kinds := []config.Kind{config.KindDepartment}
	for _, fl := range form.Fields() {
		for _, k := range fl.Kinds {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	// A period of its own for the form, open for every kind.
	periods := fmt.Sprintf("periods:\n  - id: ask\n    name: {vi: \"Kỳ hỏi\", en: \"Question period\"}\n"+
		"    opens_at: 2025-06-01\n    due: 2025-06-30\n    kinds: [%s]\n    form: %s\n    form_version: %d\n",
		strings.Join(kindNames(config.Kinds), ", "), form.ID, form.Version)
	files := []config.File{{Name: "periods.yaml", Data: []byte(periods)}}
	for _, fm := range cfg.Forms {
		files = append(files, config.File{Name: fm.File, Data: fm.Content})
	}
	own, err := config.Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, own)
	asked := map[string]map[string]string{}
	for _, lang := range []string{"vi", "en"} {
		asked[lang] = map[string]string{}
		for _, kind := range kinds {
			code := fmt.Sprintf("ASK-%s-%s", lang, kind)
			if _, _, err := f.h.DB.UpsertUnits(context.Background(), []store.Unit{{Code: code, Name: "Đơn vị " + code, Kind: string(kind)}}, "admin", f.clock.Now()); err != nil {
				t.Fatal(err)
			}
			u := f.focal("Đầu mối "+code, lang, code)
			u.Send("/report")
			r := u.Tap(map[string]string{"vi": "Kỳ hỏi", "en": "Question period"}[lang])
			fields := form.FieldsFor(kind)
			for range 2 * len(fields) {
				q := r.Last().Text
				first, _, _ := strings.Cut(q, "\n")
				m := positionRE.FindStringSubmatch(first)
				if m == nil {
					break // the review
				}
				n, _ := strconv.Atoi(m[1])
				fl := fields[n-1]
				if _, ok := asked[lang][fl.Key]; !ok {
					asked[lang][fl.Key] = q
				}
				r = answerValid(t, f, u, fl, lang)
			}
		}
	}
	return asked
}

// answerValid answers a field as asked: skipped when optional, else a
// value it takes.
func answerValid(t *testing.T, f *fixture, u *flowtest.User, fl *config.Field, lang string) flowtest.Result {
	t.Helper()
	if !fl.Required {
		return u.Tap(f.T(lang, "report.button.skip"))
	}
	switch fl.Type {
	case config.TypeNumber, config.TypePercent:
		lo, _ := fl.Bounds(lang)
		return u.Send(lo)
	case config.TypeYesNo:
		return u.Tap(f.T(lang, "report.yes"))
	case config.TypeChoice:
		return u.Tap(fl.Options[0].Label.In(lang))
	case config.TypeDate:
		day := time.Date(2025, 6, 30, 0, 0, 0, 0, config.Location)
		if fl.MinDate != "" {
			day, _ = time.ParseInLocation(time.DateOnly, fl.MinDate, config.Location)
		}
		return u.Send(fmt.Sprintf("%d/%d/%d", day.Day(), int(day.Month()), day.Year()))
	case config.TypeFile:
		sample := map[config.FileKind]struct {
			name, mime string
			data       []byte
		}{
			config.FilePDF:   {"a.pdf", "application/pdf", pdfFile},
			config.FileWord:  {"a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docxFile},
			config.FileExcel: {"a.xls", "application/vnd.ms-excel", xlsFile},
			config.FileImage: {"a.jpg", "image/jpeg", jpegFile},
		}[fl.Accept[0]]
		r := f.sendFile(u, sample.name, sample.mime, sample.data, int64(len(sample.data)))
		if done := f.T(lang, "report.button.files_done"); fl.FileLimit() > 1 {
			return u.Tap(done)
		}
		return r
	}
	return u.Send("x")
}

func kindNames(kinds []config.Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}
