package config

// Kind is the kind of a participating unit. The set is closed: it is derived
// from section II.1.a of Decision 1470/QĐ-UBND (21/6/2025), which lists the
// collectives taking part in the movement:
//
//	"Văn phòng Tỉnh ủy và các cơ quan giúp việc Tỉnh ủy"     -> KindParty
//	"các sở, ban, ngành"                                     -> KindDepartment
//	"lực lượng vũ trang"                                     -> KindArmed
//	"Mặt trận Tổ quốc Việt Nam, tổ chức chính trị xã hội"   -> KindFront
//	"các đơn vị sự nghiệp thuộc UBND tỉnh"                   -> KindPublicService
//	"UBND cấp cơ sở" (the 75 xã and phường since 1/7/2025)   -> KindCommune
//	"các tổ chức, doanh nghiệp… trên địa bàn tỉnh"           -> KindEnterprise
//
// Their names, in Vietnamese and English, are catalogue messages
// "report.kind.<kind>" (locales/report.*.yaml). The same list is the CHECK
// constraint of units.kind in store/migrations/00005_reports.sql: a new kind
// needs both.
type Kind string

// The kinds of unit, in the order of section II.1.a.
const (
	KindParty         Kind = "party"          // Văn phòng Tỉnh ủy, cơ quan giúp việc Tỉnh ủy
	KindDepartment    Kind = "department"     // sở, ban, ngành
	KindArmed         Kind = "armed"          // lực lượng vũ trang
	KindFront         Kind = "front"          // Mặt trận Tổ quốc, tổ chức chính trị - xã hội
	KindPublicService Kind = "public_service" // đơn vị sự nghiệp thuộc UBND tỉnh
	KindCommune       Kind = "commune"        // UBND cấp xã, phường
	KindEnterprise    Kind = "enterprise"     // tổ chức, doanh nghiệp
)

// Kinds lists every kind, in the decision's order.
var Kinds = []Kind{KindParty, KindDepartment, KindArmed, KindFront, KindPublicService, KindCommune, KindEnterprise}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// NameID is the catalogue message naming the kind, "report.kind.commune".
func (k Kind) NameID() string { return "report.kind." + string(k) }
