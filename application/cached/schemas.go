package cached

// Schemas returns the cache schema version each feature of this release reads and
// writes: entries of any other version are left over from another release (the
// operators' `cache cleanup --old-versions` deletes them once a rolling deploy is over).
func Schemas() map[string]int {
	return map[string]int{
		featureProfile:          profileSchema,
		featureDeckList:         deckListSchema,
		featureOrganization:     organizationSchema,
		featureOrganizationList: organizationSchema,
		featureCounts:           countsSchema,
	}
}
