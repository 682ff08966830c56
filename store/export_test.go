package store

// BatchAnswersSQL is the QuizWriter's statement, for the test of its plan.
const BatchAnswersSQL = batchAnswersSQL

// ParticipationSQL is CommuneParticipation's query, for the test of its plan.
var ParticipationSQL = participationSQL

// NewInviteCode draws a code as CreateInvite does.
var NewInviteCode = newInviteCode
