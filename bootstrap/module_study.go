package bootstrap

import (
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/application/study"
)

// StudyModule provides the study-session use-cases (start, read, answer, finish) and
// their routes. The study session store comes from the store module (Redis or memory).
var StudyModule = fx.Module("study",
	fx.Provide(
		study.NewStartStudySessionHandler,
		study.NewGetStudySessionHandler,
		study.NewReviewCardHandler,
		study.NewFinishStudySessionHandler,
		asRoutes(newStudyRoutes),
	),
)

type studyRouteParams struct {
	fx.In
	Authn  *httpapi.Authenticator
	Start  *study.StartStudySessionHandler
	Get    *study.GetStudySessionHandler
	Review *study.ReviewCardHandler
	Finish *study.FinishStudySessionHandler
}

func newStudyRoutes(p studyRouteParams) httpapi.RouteRegistrar {
	return &httpapi.StudyHandlers{Authn: p.Authn, Start: p.Start, Get: p.Get, Review: p.Review, Finish: p.Finish}
}
