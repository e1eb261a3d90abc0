package bootstrap

import (
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/progress"
)

// DecksModule provides the deck, card and progress-read use-cases and their routes.
var DecksModule = fx.Module("decks",
	fx.Provide(
		decks.NewCreateDeckHandler,
		decks.NewListDecksHandler,
		decks.NewGetDeckHandler,
		decks.NewAddCardsHandler,
		decks.NewListCardsHandler,
		progress.NewGetProgressHandler,
		progress.NewDeckProgressHandler,
		asRoutes(newDeckRoutes),
	),
)

type deckRouteParams struct {
	fx.In
	Authn        *httpapi.Authenticator
	CreateDeck   *decks.CreateDeckHandler
	ListDecks    *decks.ListDecksHandler
	GetDeck      *decks.GetDeckHandler
	AddCards     *decks.AddCardsHandler
	ListCards    *decks.ListCardsHandler
	DeckProgress *progress.DeckProgressHandler
	GetProgress  *progress.GetProgressHandler
}

func newDeckRoutes(p deckRouteParams) httpapi.RouteRegistrar {
	return &httpapi.DeckHandlers{
		Authn: p.Authn, CreateDeck: p.CreateDeck, ListDecks: p.ListDecks, GetDeck: p.GetDeck,
		AddCards: p.AddCards, ListCards: p.ListCards, DeckProgress: p.DeckProgress, GetProgress: p.GetProgress,
	}
}
