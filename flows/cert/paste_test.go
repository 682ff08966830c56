package cert_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/certificate"
	"hocvuso/flows"
	"hocvuso/flows/cert"
	"hocvuso/flows/enrol"
	"hocvuso/flows/flowtest"
	"hocvuso/store"
)

// newPasteBot is newBot with the enrolment flow too, wired as the app
// wires it: enrol claims invite-shaped text at the menu, and asks the
// verification flow about it first.
func newPasteBot(t *testing.T) *testBot {
	t.Helper()
	b := &testBot{}
	var verify *cert.Verify
	b.Harness = flowtest.New(t,
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			b.cfg = &cert.Config{Store: h.DB, Areas: areas{}, Text: h.Catalog, Location: hcm, PublicURL: publicURL}
			verify = cert.NewVerify(b.cfg)
			return cert.New(b.cfg)
		}),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			f := enrol.New(h.DB, store.NewThrottle(h.Redis.Client, h.Redis.Prefix, "enrol", enrol.MaxWrongCodes, enrol.WrongCodeWindow), nil)
			f.Certificates = verify
			return f
		}),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return verify }),
	)
	return b
}

// A certificate's code pasted at the menu, as printed, after its label,
// in its address, or without the HVS prefix (where it looks like an invite
// code), gets /verify CODE's answer; none counts as a wrong invite code,
// and an invite code pasted alone still makes a focal point.
func TestVerify_CodePastedAtTheMenu(t *testing.T) {
	b := newPasteBot(t)
	holder, _, code := b.issueFor("Cầm Bá Thước")
	bare := code[len("HVS-"):]
	u, _ := b.join("Lò Văn Minh", "vi")
	want := u.Send("/verify " + code).Text()
	if !strings.Contains(want, "Giấy chứng nhận thật") || !strings.Contains(want, "Cầm Bá Thước") {
		t.Fatalf("/verify: %s", want)
	}
	for _, typed := range []string{
		code, strings.ToLower(code), "Mã xác minh: " + code, publicURL + "/verify/" + code,
		bare, strings.ToLower(bare), strings.ReplaceAll(bare, "-", " "), "tham gia " + code,
	} {
		if got := u.Send(typed).Text(); got != want {
			t.Errorf("%q pasted at the menu: %s\nwant /verify's answer: %s", typed, got, want)
		}
	}
	// Its holder too, and someone who has agreed to nothing yet.
	if got := holder.Send(bare).Text(); !strings.Contains(got, "Giấy chứng nhận thật") {
		t.Errorf("the holder pasting the bare code: %s", got)
	}
	s := b.NewUser("Người lạ", "vi")
	if got, want := s.Send(bare).Text(), s.Send("/verify "+code).Text(); got != want || !strings.Contains(got, "Cầm Bá Thước") {
		t.Errorf("before the consent: %s\nwant: %s", got, want)
	}

	// A forged code with its prefix: /verify's "not found".
	forged := certificate.FormatCode(certificate.NewCode())
	if got := u.Send(forged).Text(); got != u.Send("/verify "+forged).Text() || !strings.Contains(got, "Không tìm thấy giấy chứng nhận") {
		t.Errorf("a forged code pasted: %s", got)
	}
	// Without it, it is neither a certificate's nor an invite's: the
	// first wrong invite code counted, and said to be no certificate's.
	r := u.Send(forged[len("HVS-"):])
	for _, w := range []string{b.T("vi", "enrol.unknown", "Code", forged[len("HVS-"):]), b.T("vi", "enrol.unknown.cert"), b.T("vi", "enrol.retry", "Left", enrol.MaxWrongCodes-1)} {
		if !strings.Contains(r.Text(), w) {
			t.Errorf("a forged code without its prefix: %s\nwant %q", r, w)
		}
	}
	u.Send("/menu")

	// An invite code pasted alone still makes a focal point.
	if _, _, err := b.DB.UpsertUnits(context.Background(), []store.Unit{{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"}}, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	inv, _, err := b.DB.CreateInvite(context.Background(), store.NewInvite{Role: store.RoleFocal, UnitCode: "03670", CreatedBy: "admin", At: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if r := u.Send(store.FormatInviteCode(inv)); !strings.Contains(r.Text(), b.T("vi", "enrol.focal.done", "Unit", "Phường Chiềng Cơi")) {
		t.Errorf("an invite code pasted: %s", r)
	}
}
