package flows_test

import (
	"testing"

	"hocvuso/flows"
)

// An item for everyone shows to all; one for some roles shows only to a
// user holding one of them.
func TestAudienceAdmits(t *testing.T) {
	both := flows.FocalPoints | flows.Officials
	for _, tc := range []struct {
		name     string
		item     flows.Audience
		who      flows.Audience
		admitted bool
	}{
		{"everyone's item, citizen", flows.Everyone, flows.Everyone, true},
		{"everyone's item, official", flows.Everyone, flows.Officials, true},
		{"focal points' item, citizen", flows.FocalPoints, flows.Everyone, false},
		{"focal points' item, focal point", flows.FocalPoints, flows.FocalPoints, true},
		{"focal points' item, official", flows.FocalPoints, flows.Officials, false},
		{"focal points' item, both", flows.FocalPoints, both, true},
		{"officials' item, citizen", flows.Officials, flows.Everyone, false},
		{"officials' item, focal point", flows.Officials, flows.FocalPoints, false},
		{"officials' item, official", flows.Officials, flows.Officials, true},
		{"either's item, focal point", both, flows.FocalPoints, true},
		{"either's item, citizen", both, flows.Everyone, false},
	} {
		if got := tc.item.Admits(tc.who); got != tc.admitted {
			t.Errorf("%s: Admits = %v, want %v", tc.name, got, tc.admitted)
		}
	}
}
