package decks

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// UpdateDeck is the command to change UserID's deck DeckID. Check, when set, is the
// client's precondition on the deck as stored (an If-Match); its error refuses the
// change.
type UpdateDeck struct {
	UserID string
	DeckID string
	Change domain.DeckChange
	Check  func(*domain.Deck) error
}

// UpdateDeckHandler changes a deck's name, description and study options.
type UpdateDeckHandler struct {
	decks    ports.DeckRepo
	profiles ports.ProfileRepo
	progress ports.ProgressRepo
	clock    ports.Clock
}

// NewUpdateDeckHandler builds the handler.
func NewUpdateDeckHandler(decks ports.DeckRepo, profiles ports.ProfileRepo, progress ports.ProgressRepo, clock ports.Clock) *UpdateDeckHandler {
	return &UpdateDeckHandler{decks: decks, profiles: profiles, progress: progress, clock: clock}
}

// rescheduleAttempts bounds the tries of a scheduler switch that answers to the deck's
// cards keep overtaking (each try that loses means an answer committed meanwhile).
const rescheduleAttempts = 3

// Handle validates the change (every bad field at once) and commits it. A change that
// makes the deck schedule with FSRS — a switch from SM-2, or new FSRS weights — gives
// every studied card the memory state of replaying its review log through FSRS with the
// deck's weights (domain.ReplayFSRS over domain.EffectiveAnswers, days counted in the
// learner's day), committed with the deck in one transaction so no answer falls between
// them. Switching back to SM-2 keeps SM-2's state, which every answer maintained. A deck
// that is not the caller's is domain.ErrNotFound.
func (h *UpdateDeckHandler) Handle(ctx context.Context, cmd UpdateDeck) (*domain.Deck, error) {
	deck, err := h.decks.GetDeck(ctx, cmd.UserID, cmd.DeckID)
	if err != nil {
		return nil, fmt.Errorf("update deck: %w", err)
	}
	planned := *deck
	if err := planned.Change(cmd.Change); err != nil {
		return nil, err
	}
	now, check := h.clock.Now(), orAccept(cmd.Check)
	change := func(d *domain.Deck) error {
		if err := check(d); err != nil {
			return err
		}
		if err := d.Change(cmd.Change); err != nil {
			return err
		}
		d.UpdatedAt = now
		return nil
	}
	if !replaysFSRS(deck.Options, planned.Options) {
		updated, err := h.decks.UpdateDeck(ctx, cmd.UserID, cmd.DeckID, change)
		if err != nil {
			return nil, fmt.Errorf("update deck: %w", err)
		}
		return updated, nil
	}
	profile, err := h.profiles.GetProfile(ctx, cmd.UserID)
	if err != nil {
		return nil, fmt.Errorf("update deck: %w", err)
	}
	for attempt := 1; ; attempt++ {
		updated, err := h.switchToFSRS(ctx, cmd, change, profile.DayStartHour)
		if err == nil || !errors.Is(err, domain.ErrConflict) || attempt == rescheduleAttempts {
			return updated, err
		}
	}
}

// switchToFSRS commits the change and every card's replayed memory in one transaction.
func (h *UpdateDeckHandler) switchToFSRS(ctx context.Context, cmd UpdateDeck, change func(*domain.Deck) error, dayStartHour int) (*domain.Deck, error) {
	var weights domain.FSRSWeights
	deck, _, err := h.progress.Reschedule(ctx, cmd.UserID, cmd.DeckID,
		func(d *domain.Deck) error {
			if err := change(d); err != nil {
				return err
			}
			weights = d.Options.FSRSWeights
			return nil
		},
		func(p *domain.Progress, log []domain.Review) error {
			memory, err := domain.ReplayFSRS(domain.EffectiveAnswers(log)[p.CardID], weights, dayStartHour)
			if err != nil {
				return err
			}
			p.Memory = memory
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("update deck: switch to FSRS: %w", err)
	}
	return deck, nil
}

// replaysFSRS reports whether a deck going from options before to after needs its
// cards' FSRS memory computed from their logs.
func replaysFSRS(before, after domain.StudyOptions) bool {
	return after.Scheduler == domain.SchedulerFSRS &&
		(before.Scheduler != domain.SchedulerFSRS || before.FSRSWeights != after.FSRSWeights)
}
