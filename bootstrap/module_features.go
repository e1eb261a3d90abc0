package bootstrap

import (
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/anki"
	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/cacheadmin"
	"github.com/studytool/studytool/application/cached"
	"github.com/studytool/studytool/application/changes"
	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/keys"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/application/transfer"
	"github.com/studytool/studytool/ports"
)

// A feature module owns its use-cases and its routes (values of the "routes" group that
// HTTPModule mounts). The use-cases stay visible to the application (commands and tests
// populate them); the dependency sets built only for a module's constructors are
// fx.Private.

// AuthModule provides registration, login with its limits, logout, the caller's sessions,
// password change and the administrator's session revocation, with their routes.
var AuthModule = fx.Module("auth",
	fx.Provide(
		loginPolicy,
		registerPolicy,
		sessionBinding,
		newDeviceTokens,
		auth.NewRegisterUserHandler,
		auth.NewLogInHandler,
		auth.NewAuthenticateHandler, // the HTTP adapter's authenticator uses it
		auth.NewLogOutHandler,
		auth.NewRevokeUserSessionsHandler,
		auth.NewListSessionsHandler,
		auth.NewRevokeSessionHandler,
		auth.NewChangePasswordHandler, // served under /v1/me
		auth.NewDeleteAccountHandler,  // served under /v1/me
	),
	fx.Provide(fx.Private, registerUserDeps, logInDeps, changePasswordDeps, deleteAccountDeps),
	fx.Provide(
		asRoutes(httpapi.NewAuthHandlers),
		asRoutes(httpapi.NewAdminSessionHandlers),
	),
)

// ProfileModule provides the profile use-cases, permission reads and the operators'
// permission management, with the profile routes.
var ProfileModule = fx.Module("profile",
	fx.Provide(
		profile.NewGetProfileHandler,
		profile.NewUpdateProfileHandler,
		profile.NewGetPermissionsHandler, // the HTTP adapter's authenticator uses it
		profile.NewManagePermissionsHandler,
		asRoutes(httpapi.NewProfileHandlers),
	),
	fx.Provide(fx.Private, profileUseCases),
)

// DecksModule provides the deck and card use-cases (study options, editing, suspending
// and deleting cards included) with their routes.
var DecksModule = fx.Module("decks",
	fx.Provide(
		decks.NewCreateDeckHandler,
		decks.NewListDecksHandler,
		decks.NewGetDeckHandler,
		decks.NewUpdateDeckHandler,
		decks.NewDeleteDeckHandler,
		decks.NewAddCardsHandler,
		decks.NewListCardsHandler,
		decks.NewGetCardHandler,
		decks.NewUpdateCardHandler,
		decks.NewDeleteCardHandler,
		decks.NewSummaryHandler, // served under /v1/study
		asRoutes(httpapi.NewDeckHandlers),
	),
	fx.Provide(fx.Private, deckUseCases),
)

// TransferModule provides the export of decks and the imports of CSV files and Anki
// packages, with their routes.
var TransferModule = fx.Module("transfer",
	fx.Provide(
		transfer.NewExportDeckHandler,
		transfer.NewImportCardsHandler,
		transfer.NewImportPackageHandler,
		fx.Annotate(newPackageReader, fx.As(new(ports.PackageReader))),
		asRoutes(httpapi.NewTransferHandlers),
	),
	fx.Provide(fx.Private, transferUseCases),
)

// newPackageReader reads Anki packages with the default bounds.
func newPackageReader() *anki.Reader { return anki.NewReader(anki.Config{}) }

func transferUseCases(export *transfer.ExportDeckHandler, cards *transfer.ImportCardsHandler,
	pkg *transfer.ImportPackageHandler,
) httpapi.TransferUseCases {
	return httpapi.TransferUseCases{Export: export, ImportCards: cards, ImportPackage: pkg}
}

// ProgressModule provides the progress reads, the review-log export and the operators'
// verification and rebuild, with their routes.
var ProgressModule = fx.Module("progress",
	fx.Provide(
		progress.NewGetProgressHandler,
		progress.NewDeckProgressHandler,
		progress.NewExportReviewsHandler,
		progress.NewListReviewsHandler,
		newVerifyProgress,
		progress.NewRebuildProgressHandler,
		asRoutes(httpapi.NewProgressHandlers),
		asRoutes(httpapi.NewReviewLogHandlers),
	),
)

// KeysModule provides the operators' key report and cleanup (Redis only: the in-memory
// stores live in the server's process). The cleanup asks the database's own
// repositories, never a cached copy, whether users, decks and cards still exist.
var KeysModule = fx.Module("keys",
	fx.Provide(
		keys.NewReportHandler,
		func(inv ports.KeyInventory, r DatabaseRepos, study ports.StudySessionStore) *keys.CleanupHandler {
			return keys.NewCleanupHandler(inv, r.Users, r.Decks, study)
		},
	),
)

// StudyModule provides the study-session use-cases (start, read, answer, undo, finish)
// with their routes.
var StudyModule = fx.Module("study",
	fx.Provide(
		study.NewStartStudySessionHandler,
		study.NewGetStudySessionHandler,
		study.NewListStudySessionsHandler,
		study.NewReviewCardHandler,
		study.NewUndoAnswerHandler,
		study.NewFinishStudySessionHandler,
		asRoutes(httpapi.NewStudyHandlers),
	),
	fx.Provide(fx.Private, reviewCardDeps, studyUseCases),
)

// SyncModule provides the change feed of syncing clients with its route.
var SyncModule = fx.Module("sync",
	fx.Provide(changes.NewSyncHandler, asRoutes(httpapi.NewSyncHandlers)),
)

// CacheAdminModule provides the operators' cache statistics (the layer's counters and
// per feature), invalidation, warming and cleanup of old schema versions, with the
// routes of the counters and the invalidation.
var CacheAdminModule = fx.Module("cacheadmin",
	fx.Provide(cacheadmin.NewGetStatsHandler, cacheadmin.NewInvalidateHandler, newCleanupOldVersions, newCacheWarm, newFeatureStats,
		asRoutes(httpapi.NewAdminCacheHandlers)),
)

// newFeatureStats measures the cache per feature of this release.
func newFeatureStats(scanner ports.CacheScanner) *cacheadmin.FeatureStatsHandler {
	return cacheadmin.NewFeatureStatsHandler(scanner, cached.Schemas())
}

// newCacheWarm warms, on demand, what the service warms when it starts.
func newCacheWarm(orgs *cached.Organizations) *cacheadmin.WarmHandler {
	return cacheadmin.NewWarmHandler(warmers(orgs))
}

// newCleanupOldVersions cleans up the cache against this release's schema versions.
func newCleanupOldVersions(scanner ports.CacheScanner, store ports.CacheStore) *cacheadmin.CleanupOldVersionsHandler {
	return cacheadmin.NewCleanupOldVersionsHandler(scanner, store, cached.Schemas())
}

type deckUseCaseParams struct {
	fx.In
	Create     *decks.CreateDeckHandler
	List       *decks.ListDecksHandler
	Get        *decks.GetDeckHandler
	Update     *decks.UpdateDeckHandler
	Delete     *decks.DeleteDeckHandler
	Add        *decks.AddCardsHandler
	Cards      *decks.ListCardsHandler
	GetCard    *decks.GetCardHandler
	UpdateCard *decks.UpdateCardHandler
	DeleteCard *decks.DeleteCardHandler
}

func deckUseCases(p deckUseCaseParams) httpapi.DeckUseCases {
	return httpapi.DeckUseCases{
		Create: p.Create, List: p.List, Get: p.Get, Update: p.Update, Delete: p.Delete, Add: p.Add,
		Cards: p.Cards, GetCard: p.GetCard, UpdateCard: p.UpdateCard, DeleteCard: p.DeleteCard,
	}
}

func profileUseCases(get *profile.GetProfileHandler, update *profile.UpdateProfileHandler,
	changePassword *auth.ChangePasswordHandler, deleteAccount *auth.DeleteAccountHandler,
) httpapi.ProfileUseCases {
	return httpapi.ProfileUseCases{Get: get, Update: update, ChangePassword: changePassword, DeleteAccount: deleteAccount}
}

func reviewCardDeps(sessions ports.StudySessionStore, deckRepo ports.DeckRepo, profiles ports.ProfileRepo,
	progressRepo ports.ProgressRepo, reviews ports.ReviewRepo, clock ports.Clock,
) study.ReviewCardDeps {
	return study.ReviewCardDeps{Sessions: sessions, Decks: deckRepo, Profiles: profiles, Progress: progressRepo, Reviews: reviews, Clock: clock}
}

type studyUseCaseParams struct {
	fx.In
	Start   *study.StartStudySessionHandler
	Get     *study.GetStudySessionHandler
	List    *study.ListStudySessionsHandler
	Review  *study.ReviewCardHandler
	Undo    *study.UndoAnswerHandler
	Finish  *study.FinishStudySessionHandler
	Summary *decks.SummaryHandler
}

func studyUseCases(p studyUseCaseParams) httpapi.StudyUseCases {
	return httpapi.StudyUseCases{
		Start: p.Start, Get: p.Get, List: p.List, Review: p.Review, Undo: p.Undo, Finish: p.Finish, Summary: p.Summary,
	}
}

// newVerifyProgress checks the database's own progress, never a cached copy.
func newVerifyProgress(r DatabaseRepos, reviews ports.ReviewRepo) *progress.VerifyProgressHandler {
	return progress.NewVerifyProgressHandler(reviews, r.Progress)
}

// asRoutes adds a constructor of a route registrar to the "routes" group.
func asRoutes(f any) any {
	return fx.Annotate(f, fx.As(new(httpapi.RouteRegistrar)), fx.ResultTags(`group:"routes"`))
}
