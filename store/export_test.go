package store

// BatchAnswersSQL is the QuizWriter's statement, for the test of its plan.
const BatchAnswersSQL = batchAnswersSQL

// ParticipationSQL is CommuneParticipation's query, for the test of its plan.
var ParticipationSQL = participationSQL
