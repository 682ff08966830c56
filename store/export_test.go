package store

// BatchAnswersSQL is the AnswerBatcher's statement, for the test of its plan.
const BatchAnswersSQL = batchAnswersSQL
