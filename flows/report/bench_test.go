package report_test

import (
	"testing"
)

// BenchmarkReportAnswer measures a focal point's typed answer and a tap,
// through the engine with the session in Redis and the draft in
// PostgreSQL: one op is a number typed (saved into the draft, the next
// question shown) and "back" (the draft read, the question shown again).
//
//	go test -run '^$' -bench ReportAnswer -benchtime 500x ./flows/report
func BenchmarkReportAnswer(b *testing.B) {
	f := newFixture(b, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	u.Tap("Kế hoạch")
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			u.Send("120")
		} else {
			u.Send("121")
		}
		u.Tap("Quay lại")
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(2*b.N), "µs/update")
}
