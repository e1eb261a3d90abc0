package domain

// RevlogState is the state of a card before an answer, as the FSRS optimizer's review
// log ("revlog") records it.
type RevlogState int

// The revlog states.
const (
	RevlogNew        RevlogState = 0
	RevlogLearning   RevlogState = 1
	RevlogReview     RevlogState = 2
	RevlogRelearning RevlogState = 3
)

// RevlogStateOf returns the state r's card was in when r answered it: new for its first
// answer; review when SM-2 counted it learned (repetitions above zero); relearning after
// a lapse until it is learned again; learning otherwise (a card answered before but
// never passed).
func RevlogStateOf(r Review) RevlogState {
	switch {
	case r.Kind == ReviewNew:
		return RevlogNew
	case r.Before.State.Repetitions > 0:
		return RevlogReview
	case r.Before.Lapses > 0:
		return RevlogRelearning
	default:
		return RevlogLearning
	}
}
