package store

// BatchAnswersSQL is the QuizWriter's statement, for the test of its plan.
const BatchAnswersSQL = batchAnswersSQL
