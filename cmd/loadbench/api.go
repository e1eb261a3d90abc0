package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// api is a client of the service for the unmeasured set-up.
type api struct {
	baseURL string
	client  *http.Client
}

// call sends body (JSON, when not nil) with token (when not empty), checks the status and
// decodes the answer into out (when not nil).
func (a api) call(ctx context.Context, method, path, token string, body, out any, want int) error {
	var reader io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.baseURL+path, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var raw []byte
	if err := send(a.client, req, want, &raw); err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(raw)))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// signUp registers email and logs in, returning the session token.
func (a api) signUp(ctx context.Context, email string) (string, error) {
	const password = "loadbench correct horse battery" //nolint:gosec // G101: the password of a throwaway account the run creates
	if err := a.call(ctx, http.MethodPost, "/v1/auth/register", "",
		map[string]string{"email": email, "password": password, "displayName": "Load"}, nil, http.StatusCreated); err != nil {
		return "", fmt.Errorf("register: %w", err)
	}
	var login struct{ Token string }
	if err := a.call(ctx, http.MethodPost, "/v1/auth/login", "",
		map[string]string{"email": email, "password": password}, &login, http.StatusOK); err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	return login.Token, nil
}

// deckWithCards creates a deck of n cards and returns its id.
func (a api) deckWithCards(ctx context.Context, token, name string, n int) (string, error) {
	var deck struct{ ID string }
	if err := a.call(ctx, http.MethodPost, "/v1/decks", token, map[string]string{"name": name}, &deck, http.StatusCreated); err != nil {
		return "", fmt.Errorf("create deck: %w", err)
	}
	cards := make([]map[string]string, n)
	for i := range cards {
		cards[i] = map[string]string{"front": fmt.Sprintf("question %d", i+1), "back": fmt.Sprintf("answer %d", i+1)}
	}
	if err := a.call(ctx, http.MethodPost, "/v1/decks/"+deck.ID+"/cards", token,
		map[string]any{"cards": cards}, nil, http.StatusCreated); err != nil {
		return "", fmt.Errorf("add cards: %w", err)
	}
	return deck.ID, nil
}

// studySession is what starting a session or answering a card returns that the loop
// needs: the id and the card to answer next.
type studySession struct {
	ID       string `json:"id"`
	NextCard *struct {
		ID string `json:"id"`
	} `json:"nextCard"`
}

// startStudy starts a study session of deckID.
func (a api) startStudy(ctx context.Context, token, deckID string) (studySession, error) {
	var s studySession
	err := a.call(ctx, http.MethodPost, "/v1/study/sessions", token,
		map[string]any{"deckId": deckID, "maxCards": 20}, &s, http.StatusCreated)
	if err == nil && s.NextCard == nil {
		err = fmt.Errorf("study session of deck %s has no card to answer", deckID)
	}
	return s, err
}

// getTarget loads GET path with token.
func getTarget(name, baseURL, path, token string) target {
	return target{name: name, worker: func(_ context.Context, client *http.Client, _ int) (step, error) {
		return func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+path, http.NoBody)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			return send(client, req, http.StatusOK, nil)
		}, nil
	}}
}

// reviewTarget is the review loop: connection i answers the cards of sessions[i], one
// POST /v1/study/sessions/{id}/reviews per step. The grade (1) puts each card back at the
// end of the queue, so the session never runs out; if it does, the next step starts a
// new session of the same deck.
func reviewTarget(baseURL, token string, decks []string, sessions []studySession) target {
	a := api{baseURL: baseURL}
	return target{name: "review loop (POST …/reviews)", conns: len(sessions), worker: func(_ context.Context, client *http.Client, i int) (step, error) {
		a := a
		a.client = client
		s := &sessions[i]
		return func(ctx context.Context) error {
			if s.NextCard == nil {
				next, err := a.startStudy(ctx, token, decks[i])
				if err != nil {
					return err
				}
				*s = next
				return nil
			}
			var answer studySession
			if err := a.call(ctx, http.MethodPost, "/v1/study/sessions/"+s.ID+"/reviews", token,
				map[string]any{"cardId": s.NextCard.ID, "grade": 1, "durationMs": 1500}, &answer, http.StatusOK); err != nil {
				return err
			}
			s.NextCard = answer.NextCard
			return nil
		}, nil
	}}
}
