package domain

import (
	"errors"
	"fmt"
)

// Scheduler names the algorithm that schedules a deck's cards.
type Scheduler string

// The schedulers: SM-2 (the default) and FSRS-6.
const (
	SchedulerSM2  Scheduler = "sm2"
	SchedulerFSRS Scheduler = "fsrs"
)

// LeechAction is what happens to a card when it becomes a leech (it lapsed
// LeechThreshold times): it is suspended, or only marked.
type LeechAction string

// The leech actions.
const (
	LeechSuspend LeechAction = "suspend"
	LeechTag     LeechAction = "tag"
)

// Study option defaults and bounds.
const (
	DefaultNewCardsPerDay = 20
	DefaultReviewsPerDay  = 200
	DefaultLeechThreshold = 8
	MaxCardsPerDay        = 9999
	MaxLeechThreshold     = 99
)

// StudyOptions are a deck's study settings: how many new cards and reviews a learner
// day may bring, when a card becomes a leech and what happens then, whether intervals
// are fuzzed, and which scheduler (with its parameters) plans the reviews.
type StudyOptions struct {
	NewCardsPerDay   int
	ReviewsPerDay    int
	LeechThreshold   int
	LeechAction      LeechAction
	Fuzz             bool
	Scheduler        Scheduler
	DesiredRetention float64
	FSRSWeights      FSRSWeights
}

// DefaultStudyOptions are a new deck's options: 20 new cards and 200 reviews a day, a
// leech at 8 lapses is suspended, no fuzz, SM-2 (FSRS's parameters at their defaults).
func DefaultStudyOptions() StudyOptions {
	return StudyOptions{
		NewCardsPerDay:   DefaultNewCardsPerDay,
		ReviewsPerDay:    DefaultReviewsPerDay,
		LeechThreshold:   DefaultLeechThreshold,
		LeechAction:      LeechSuspend,
		Scheduler:        SchedulerSM2,
		DesiredRetention: DefaultDesiredRetention,
		FSRSWeights:      DefaultFSRSWeights,
	}
}

// orDefault fills the zero fields of o (options a caller left out) with the defaults.
func (o StudyOptions) orDefault() StudyOptions {
	d := DefaultStudyOptions()
	if o.LeechThreshold == 0 {
		o.LeechThreshold = d.LeechThreshold
	}
	if o.LeechAction == "" {
		o.LeechAction = d.LeechAction
	}
	if o.Scheduler == "" {
		o.Scheduler = d.Scheduler
	}
	if o.DesiredRetention == 0 {
		o.DesiredRetention = d.DesiredRetention
	}
	if o.FSRSWeights == (FSRSWeights{}) {
		o.FSRSWeights = d.FSRSWeights
	}
	return o
}

// Validate returns the ValidationErrors (joined) of every option out of its range.
func (o StudyOptions) Validate() error {
	var errs []error
	check := func(bad bool, field, reason string) {
		if bad {
			errs = append(errs, NewValidationError(field, reason))
		}
	}
	perDay := fmt.Sprintf("must be an integer from 0 to %d", MaxCardsPerDay)
	check(o.NewCardsPerDay < 0 || o.NewCardsPerDay > MaxCardsPerDay, "newCardsPerDay", perDay)
	check(o.ReviewsPerDay < 0 || o.ReviewsPerDay > MaxCardsPerDay, "reviewsPerDay", perDay)
	check(o.LeechThreshold < 1 || o.LeechThreshold > MaxLeechThreshold, "leechThreshold",
		fmt.Sprintf("must be an integer from 1 to %d", MaxLeechThreshold))
	check(o.LeechAction != LeechSuspend && o.LeechAction != LeechTag, "leechAction", "must be suspend or tag")
	check(o.Scheduler != SchedulerSM2 && o.Scheduler != SchedulerFSRS, "scheduler", "must be sm2 or fsrs")
	errs = append(errs, ValidateDesiredRetention(o.DesiredRetention), o.FSRSWeights.Validate())
	return errors.Join(errs...)
}
