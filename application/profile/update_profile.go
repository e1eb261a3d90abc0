package profile

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// UpdateProfile is the command to change the caller's profile: each field that is set
// replaces the profile's. Check, when set, is the client's precondition on the profile
// as stored (an If-Match); its error refuses the change.
type UpdateProfile struct {
	UserID      string
	DisplayName *string
	// TimeZone (an IANA name) and DayStartHour (0–23) set the learner's day.
	TimeZone     *string
	DayStartHour *int
	Check        func(*domain.Profile) error
}

// UpdateProfileHandler changes the caller's profile. The user repository drops the
// cached profile once the change is committed, so the next read shows it.
type UpdateProfileHandler struct {
	users    ports.UserRepo
	profiles ports.ProfileRepo
	clock    ports.Clock
}

// NewUpdateProfileHandler builds the handler.
func NewUpdateProfileHandler(users ports.UserRepo, profiles ports.ProfileRepo, clock ports.Clock) *UpdateProfileHandler {
	return &UpdateProfileHandler{users: users, profiles: profiles, clock: clock}
}

// Handle validates the change (every bad field at once), stores it and returns the
// updated profile.
func (h *UpdateProfileHandler) Handle(ctx context.Context, cmd UpdateProfile) (*domain.Profile, error) {
	var name string
	var nameErr, zoneErr, hourErr error
	if cmd.DisplayName != nil {
		name, nameErr = domain.NormalizeDisplayName(*cmd.DisplayName)
	}
	if cmd.TimeZone != nil {
		_, zoneErr = domain.ParseTimeZone(*cmd.TimeZone)
	}
	if cmd.DayStartHour != nil {
		hourErr = domain.ValidateDayStartHour(*cmd.DayStartHour)
	}
	if err := errors.Join(nameErr, zoneErr, hourErr); err != nil {
		return nil, err
	}
	var orgType domain.OrganizationType
	if cmd.Check != nil {
		before, err := h.profiles.GetProfile(ctx, cmd.UserID)
		if err != nil {
			return nil, fmt.Errorf("update profile: %w", err)
		}
		orgType = before.OrganizationType
	}
	if _, err := h.users.Update(ctx, cmd.UserID, func(u *domain.User) error {
		if cmd.Check != nil {
			stored := u.Profile(orgType)
			if err := cmd.Check(&stored); err != nil {
				return err
			}
		}
		if cmd.DisplayName != nil {
			u.DisplayName = name
		}
		if cmd.TimeZone != nil {
			u.TimeZone = *cmd.TimeZone
		}
		if cmd.DayStartHour != nil {
			u.DayStartHour = *cmd.DayStartHour
		}
		u.UpdatedAt = h.clock.Now()
		return nil
	}); err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	p, err := h.profiles.GetProfile(ctx, cmd.UserID)
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return p, nil
}
